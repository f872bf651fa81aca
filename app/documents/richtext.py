"""The block text format lives in the core now (app.richtext); the Word files still import it here."""

# re-exported until the Word core lands: meetings/docx_xml.py, meetings/docx_writer.py and
# drafting/docx_reader.py import these names from app.documents.richtext.
from app.richtext import Segment, from_segments, plain, segments, table_rows, table_text

__all__ = ["Segment", "from_segments", "plain", "segments", "table_rows", "table_text"]
