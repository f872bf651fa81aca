"""The Word core: what every Word file the app writes or reads shares.

Writing (the meeting pack, :mod:`app.meetings.pack`, and the outcome report,
:mod:`app.responses.docx_writer`):

- :mod:`~app.docx.wml`: WordprocessingML built as strings (escaping, runs, paragraphs,
  tables, fields, tracked-change signatures, section properties) and the namespaces;
- :mod:`~app.docx.package`: python-docx's template without its leftovers, whole parts,
  the byte-stable zip;
- :mod:`~app.docx.styles`, :mod:`~app.docx.numbering`, :mod:`~app.docx.settings`,
  :mod:`~app.docx.footer`, :mod:`~app.docx.properties`: the parts around the body;
- :mod:`~app.docx.comments`: Word comments and their threads, written and read back.

Reading (the importer, :mod:`app.drafting.docx_reader`, and the Word-comments reader,
:mod:`app.wordcomments.reader`): :mod:`~app.docx.reading` refuses unsafe files, opens
them and gives the paragraphs and tables of the text; :mod:`~app.docx.bookmarks` names the
bookmarks by which a pack's text and blocks are found again.

Core: nothing here imports the app's feature or domain packages; they pass plain values.
"""
