"""The meeting pack as a DOCX file: the presented version with tracked changes and comments.

:func:`write_pack` turns a :class:`PackInput` (plain data the app builds from the
database) into the bytes of a Word document:

1. a title page (title, version and state, date, meeting with its time, place and agenda,
   organisations, licence);
2. the summary, "we asked – you answered – we did": comments by decision and by
   organisation, paragraphs changed, added, removed and moved;
3. a table of contents: a TOC field that Word updates on open (``w:updateFields``), whose
   result already lists every heading, numbered and linked, for readers that do not;
4. the version history table;
5. the text of the presented version, with real tracked changes against the base
   version (``w:ins``/``w:del`` signed with the editor and the time of the change,
   moved paragraphs as ``w:moveFrom``/``w:moveTo``), Word heading styles with 1 / 1.1 /
   1.1.1 numbering, real Word lists, quotes, tables, bold, italic and links; each block
   of the presented version inside a hidden bookmark named after its uid;
6. every comment of the compilation as a Word comment on its paragraph (on its quoted
   words when the paragraph still has them once), signed "Name (Organisation)", with
   the editors' decision and response as a threaded reply and decided threads done;
7. the compilation of comments ("Sammanställning av inkomna synpunkter"), a landscape
   table grouped by section whose header row repeats on every page.

Each section is a module of this package, listed in :func:`~app.meetings.pack.writer.write_pack`.

``tracked=False`` gives the clean variant: no revision marks, no Word comments, removed
blocks left out, the text as it stands in the presented version.

The Word core (:mod:`app.docx`) provides the package skeleton: python-docx's template with
the styles, numbering, settings, core properties, footer and comments parts. The body and
the comments are built as WordprocessingML strings (:mod:`app.docx.wml`) and stored as
whole parts: a 3,000-row compilation built cell by cell through python-docx took seconds,
and even a parse round trip through lxml cost 0.3 s and 100 MB. The zip is rewritten with
fixed entry times and order, so the same input always gives the same bytes (an export can
be re-created and its sha256 verified later).
"""

from app.meetings.pack.data import HistoryRow, PackAgendaItem, PackBlock, PackInput, blocks_from_diff
from app.meetings.pack.writer import write_pack
from app.review.compilation import PackComment

__all__ = [
    "HistoryRow",
    "PackAgendaItem",
    "PackBlock",
    "PackComment",
    "PackInput",
    "blocks_from_diff",
    "write_pack",
]
