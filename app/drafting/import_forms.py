"""Forms and labels of importing a draft: upload, paste, a new document, the report's choices."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.documents.models import LICENCES, Visibility
from app.docx.reading import DocxRejected
from app.drafting.importing import SLUG_MAX, SLUG_PATTERN, TITLE_MAX, PendingImport, slug_taken
from app.web.text import ascii_slug

PASTE_MAX = 1_000_000
ACCEPT = "accept"
SPLIT = "split"
DOCX_TYPES = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Why an upload was refused (codes of app.docx.reading.REJECTION_CODES).
REJECTIONS = {
    "empty": _l("The file is empty, or the document has no text to import."),
    "too_large": _l("The file is larger than %(limit)d MB, the most that can be imported."),
    "not_zip": _l("This is not a Word document. Save it from Word as a Word document (.docx) and try again."),
    "truncated": _l("The file is damaged or was not uploaded completely. Please upload it again."),
    "not_docx": _l(
        "This file is not a Word document (.docx). Save it from Word as a Word document and try again."
    ),
    "encrypted": _l(
        "The document is protected with a password. Remove the password in Word, save, and upload it again."
    ),
    "legacy_doc": _l(
        "This is an old Word 97–2003 file (.doc). Save it as a Word document (.docx) and try again."
    ),
    "macro": _l(
        "This document contains macros (.docm). Save it as a Word document (.docx) without macros "
        "and try again."
    ),
    "zip_bomb": _l("The file unpacks to far more data than a Word document would, so it was not opened."),
    "doctype": _l(
        "The file contains XML declarations that Word never writes (DOCTYPE or entities), "
        "so it was not opened, for safety."
    ),
}

# What the reader could not represent (codes of app.drafting.docx_reader.REPORT_CODES).
REPORT_LABELS = {
    "image": _l("Pictures"),
    "chart": _l("Charts"),
    "diagram": _l("SmartArt diagrams"),
    "shape": _l("Drawn shapes"),
    "text_box": _l("Text boxes (their text was not imported)"),
    "embedded_object": _l("Embedded objects"),
    "embedded_document": _l("Embedded documents"),
    "equation": _l("Equations"),
    "footnote": _l("Footnotes (the notes were not imported)"),
    "endnote": _l("Endnotes (the notes were not imported)"),
    "comment": _l("Word comments in the file (not imported)"),
    "header_footer": _l("Text in headers and footers (not imported)"),
    "field": _l("Fields, imported as the text they showed"),
    "table_of_contents": _l("A table of contents, left out"),
    "heading_level": _l("Headings deeper than level 3, imported as level 3"),
    "list_level": _l("List items deeper than level 3, imported as level 3"),
    "title": _l("Paragraphs in the “Title” style, imported as ordinary paragraphs"),
    "internal_link": _l("Links to places inside the document, kept as plain text"),
    "link_scheme": _l("Links that are not web or e-mail addresses, kept as plain text"),
    "hidden_text": _l("Hidden text, left out"),
    "placeholder": _l("Empty content controls showing placeholder text, left out"),
    "symbol": _l("Symbol-font characters, left out"),
    "merged_cells": _l("Tables with merged cells, imported cell by cell"),
    "nested_table": _l("Tables inside table cells, flattened into the cell's text"),
    "pack_parts": _l(
        "A Remiss meeting pack: only its text was read, not the title page, history or compilation"
    ),
}

STATUS_LABELS = {
    "unchanged": _l("Unchanged"),
    "edited": _l("Edited"),
    "moved": _l("Moved"),
    "moved+edited": _l("Moved and edited"),
    "new": _l("New"),
    "removed": _l("Removed"),
}

VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public: anyone can read it"),
    Visibility.NETWORK: _l("Network only: signed-in members can read it"),
}


def rejection_message(error: DocxRejected) -> str:
    """The translated reason an upload was refused."""
    message = REJECTIONS.get(error.code, REJECTIONS["not_docx"])
    if error.code == "too_large":
        limit = int(error.message_params.get("limit", 0)) // (1024 * 1024)
        return _(
            "The file is larger than %(limit)d MB, the most that can be imported.",
            limit=limit,
        )
    return str(message)


def report_label(code: str) -> str:
    """The translated name of something the reader could not represent."""
    return str(REPORT_LABELS.get(code, code))


class UploadForm(FlaskForm):
    """A Word file to import as the working draft."""

    file = FileField(
        _l("Word file (.docx)"), validators=[FileRequired(message=_l("Choose a Word file to upload."))]
    )
    submit = SubmitField(_l("Upload and compare"))


class PasteForm(FlaskForm):
    """Plain text or Markdown to import as the working draft."""

    text = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(message=_l("Paste the text to import.")),
            Length(max=PASTE_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Compare"))


class NewDocumentForm(FlaskForm):
    """A new document whose first version's draft comes from a Word file."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the document a title.")),
            Length(max=TITLE_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    slug = StringField(
        _l("Web address"), validators=[Length(max=SLUG_MAX, message=_l("At most %(max)d characters."))]
    )
    licence = SelectField(
        _l("Licence"), choices=[SelectChoice(key, name) for key, (name, _url) in LICENCES.items()]
    )
    visibility = SelectField(
        _l("Who can read it"),
        choices=[SelectChoice(v.value, label) for v, label in VISIBILITY_LABELS.items()],
        default=Visibility.NETWORK.value,
    )
    file = FileField(
        _l("Word file (.docx)"), validators=[FileRequired(message=_l("Choose a Word file to upload."))]
    )
    submit = SubmitField(_l("Upload and check"))

    def validate_slug(self, field):
        """Make the address from the title when left empty; it must be free and well formed."""
        field.data = (field.data or "").strip().lower() or ascii_slug(self.title.data or "")[:SLUG_MAX].strip(
            "-"
        )
        if not field.data or not SLUG_PATTERN.match(field.data):
            raise ValidationError(_l("Use lower-case letters a–z, digits and hyphens, e.g. open-licences."))
        if slug_taken(field.data):
            raise ValidationError(_l("Another document already has this address."))


class CancelForm(FlaskForm):
    """Discard a pending import."""


class ReportForm(FlaskForm):
    """Confirm a pending import; one accept-or-split choice per uncertain match (added per import)."""

    submit = SubmitField(_l("Confirm and write the draft"))

    def choice_fields(self):
        """The (match, radio field) pairs, in document order."""
        return [(m, self[f"m{m.index}"]) for m in self._uncertain]

    def splits(self) -> set[int]:
        """Indexes of the blocks the editor split off as new."""
        return {m.index for m, radio in self.choice_fields() if radio.data == SPLIT}


def report_form(pending: PendingImport) -> ReportForm:
    """The confirmation form of *pending*, with a radio group per uncertain match."""

    class Form(ReportForm):
        pass

    uncertain = pending.uncertain
    for match in uncertain:
        setattr(
            Form,
            f"m{match.index}",
            RadioField(
                _l("This paragraph"),
                choices=[
                    SelectChoice(ACCEPT, _l("Same paragraph, edited: keep its identity and comments")),
                    SelectChoice(
                        SPLIT, _l("Different paragraphs: import as a new paragraph, the old one is removed")
                    ),
                ],
                default=ACCEPT,
                validate_choice=True,
            ),
        )
    form = Form()
    form._uncertain = uncertain
    return form
