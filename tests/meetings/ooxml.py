"""Validity of a .docx as Word reads it: the ECMA-376 schemas, and the rules no schema states.

:func:`schema_problems` validates every XML part of a package against the transitional
schemas in ``/work/shared/ooxml-xsd`` (see its SOURCE.md), loaded offline: the DCMI 2003
URLs of the core-properties schema are mapped onto the local copies, and the markup that a
part declares ignorable (``mc:Ignorable``: w14, w15 …, which have no schema there) is
dropped first, as Word drops it. :func:`word_rule_problems` checks what Word also refuses
and a schema cannot see. Both return a list of problems (empty: valid).
"""

from __future__ import annotations

import functools
import io
import os
import posixpath
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

XSD_DIR = Path(os.environ.get("OOXML_XSD_DIR", Path(__file__).resolve().parents[3] / "shared" / "ooxml-xsd"))
if not XSD_DIR.exists():
    XSD_DIR = Path("/work/shared/ooxml-xsd")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

# Namespace -> schema file (relative to XSD_DIR) of every root a .docx part can have here.
_SCHEMAS = {
    W: "transitional/wml.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "transitional/dml-main.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": (
        "transitional/shared-documentPropertiesExtended.xsd"
    ),
    "http://schemas.openxmlformats.org/package/2006/content-types": "opc/opc-contentTypes.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/bibliography": "transitional/shared-bibliography.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/customXml": (
        "transitional/shared-customXmlDataProperties.xsd"
    ),
    PKG_REL: "opc/opc-relationships.xsd",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": "opc/opc-coreProperties.xsd",
}
_DCMI = {
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dc.xsd": "dc/dc.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcterms.xsd": "dc/dcterms.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcmitype.xsd": "dc/dcmitype.xsd",
    "http://www.w3.org/2001/xml.xsd": "dc/xml.xsd",
}


class _Offline(etree.Resolver):
    """Maps the schemas' remote locations onto the local copies; refuses the network."""

    def resolve(self, url, pubid, context):
        for remote, local in _DCMI.items():
            if url == remote or (url.endswith(posixpath.basename(remote)) and "dublincore" in url):
                return self.resolve_filename(str(XSD_DIR / local), context)
        if url and url.startswith(("http://", "https://")):
            raise OSError(f"schema wants the network: {url}")
        return None


@functools.cache
def _schema() -> etree.XMLSchema:
    """One schema importing every namespace above (the xml namespace first, from dc/xml.xsd)."""
    imports = [
        f'<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="{(XSD_DIR / "dc/xml.xsd").as_uri()}"/>'
    ]
    imports += [
        f'<xs:import namespace="{ns}" schemaLocation="{(XSD_DIR / path).as_uri()}"/>'
        for ns, path in _SCHEMAS.items()
    ]
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{"".join(imports)}</xs:schema>'
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Offline())
    return etree.XMLSchema(
        etree.fromstring(driver.encode(), parser, base_url=(XSD_DIR / "driver.xsd").as_uri())
    )


def _without_ignorable(root: etree._Element) -> etree._Element:
    """*root* as Word reads it: ignorable namespaces dropped, AlternateContent by its Fallback."""
    ignorable: set[str] = set()
    for element in root.iter():
        value = element.get(f"{{{MC}}}Ignorable")
        if value:
            ignorable |= {element.nsmap.get(prefix) for prefix in value.split()}
    for element in list(root.iter(f"{{{MC}}}AlternateContent")):
        fallback = element.find(f"{{{MC}}}Fallback")
        parent = element.getparent()
        index = parent.index(element)
        parent.remove(element)
        for child in reversed(list(fallback) if fallback is not None else []):
            parent.insert(index, child)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).namespace in ignorable and element is not root:
            element.getparent().remove(element)
            continue
        for name in list(element.attrib):
            namespace = etree.QName(name).namespace
            if namespace in ignorable or namespace == MC:
                del element.attrib[name]
    etree.cleanup_namespaces(root)
    return root


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def schema_problems(data: bytes) -> list[str]:
    """What the ECMA-376 transitional schemas find wrong in any XML part of the .docx *data*."""
    problems = []
    schema = _schema()
    for name, content in _parts(data).items():
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        root = etree.fromstring(content)
        namespace = etree.QName(root).namespace
        if namespace == W15:
            continue  # commentsExtended.xml: no schema here; word_rule_problems checks it
        if namespace not in _SCHEMAS:
            problems.append(f"{name}: no schema for root namespace {namespace}")
            continue
        root = _without_ignorable(root)
        if not schema.validate(root):
            problems += [f"{name}:{e.line}: {e.message}" for e in schema.error_log][:20]
    return problems


def _target(base: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target)).lstrip("/")


def word_rule_problems(data: bytes) -> list[str]:
    """What Word refuses that a schema cannot see.

    Unique revision ids; every comment with its range start, end, reference and entry in
    comments.xml; paired bookmarks (unique ids and names) and move ranges; no ``w:t`` in a
    ``w:del``; every ``r:id`` resolving to a relationship of its part; commentsExtended
    entries pointing at comment paragraphs and parents that exist.
    """
    parts = _parts(data)
    problems: list[str] = []
    w = lambda tag: f"{{{W}}}{tag}"  # noqa: E731
    body = etree.fromstring(parts["word/document.xml"])

    revision_tags = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "trPrChange", "tcPrChange")
    range_tags = ("moveFromRangeStart", "moveToRangeStart")
    ids = [e.get(w("id")) for tag in revision_tags + range_tags for e in body.iter(w(tag))]
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    if duplicated:
        problems.append(f"duplicate revision ids: {duplicated[:10]}")

    for start_tag, end_tag in (
        ("bookmarkStart", "bookmarkEnd"),
        ("moveFromRangeStart", "moveFromRangeEnd"),
        ("moveToRangeStart", "moveToRangeEnd"),
    ):
        starts = [e.get(w("id")) for e in body.iter(w(start_tag))]
        ends = [e.get(w("id")) for e in body.iter(w(end_tag))]
        if len(starts) != len(set(starts)):
            problems.append(f"{start_tag}: duplicate ids")
        if Counter(starts) != Counter(ends):
            problems.append(f"{start_tag}/{end_tag} unpaired: {sorted(set(starts) ^ set(ends))[:10]}")
    names = [e.get(w("name")) for e in body.iter(w("bookmarkStart"))]
    if len(names) != len(set(names)):
        problems.append(f"duplicate bookmark names: {[n for n, c in Counter(names).items() if c > 1][:5]}")
    # A move range's start must come before its end in document order.
    order = {e: i for i, e in enumerate(body.iter())}
    for start_tag, end_tag in (("bookmarkStart", "bookmarkEnd"), ("moveFromRangeStart", "moveFromRangeEnd")):
        ends = {e.get(w("id")): e for e in body.iter(w(end_tag))}
        for start in body.iter(w(start_tag)):
            end = ends.get(start.get(w("id")))
            if end is not None and order[end] < order[start]:
                problems.append(f"{start_tag} {start.get(w('id'))} ends before it starts")

    if body.xpath(".//w:del//w:t", namespaces={"w": W}):
        problems.append("w:t inside w:del (must be w:delText)")
    if body.xpath(".//w:ins//w:delText[not(ancestor::w:del)]", namespaces={"w": W}):
        problems.append("w:delText outside w:del")

    comment_ids: set[str] = set()
    paras: dict[str, str] = {}
    if "word/comments.xml" in parts:
        comments = etree.fromstring(parts["word/comments.xml"])
        comment_ids = {c.get(w("id")) for c in comments.iter(w("comment"))}
        for c in comments.iter(w("comment")):
            for p in c.iter(w("p")):
                if p.get(f"{{{W14}}}paraId"):
                    paras[p.get(f"{{{W14}}}paraId")] = c.get(w("id"))
    starts = Counter(e.get(w("id")) for e in body.iter(w("commentRangeStart")))
    ends = Counter(e.get(w("id")) for e in body.iter(w("commentRangeEnd")))
    refs = Counter(e.get(w("id")) for e in body.iter(w("commentReference")))
    for cid in set(starts) | set(ends) | set(refs) | comment_ids:
        if not (starts[cid] == ends[cid] == refs[cid] == 1 and cid in comment_ids):
            problems.append(
                f"comment {cid}: {starts[cid]} start, {ends[cid]} end, {refs[cid]} reference,"
                f" {'an' if cid in comment_ids else 'no'} entry"
            )
    ends_at = {e.get(w("id")): e for e in body.iter(w("commentRangeEnd"))}
    for start in body.iter(w("commentRangeStart")):
        end = ends_at.get(start.get(w("id")))
        if end is not None and order[end] < order[start]:
            problems.append(f"comment {start.get(w('id'))} ends before it starts")

    if "word/commentsExtended.xml" in parts:
        extended = etree.fromstring(parts["word/commentsExtended.xml"])
        seen = set()
        for entry in extended:
            para = entry.get(f"{{{W15}}}paraId")
            parent = entry.get(f"{{{W15}}}paraIdParent")
            seen.add(para)
            if para not in paras:
                problems.append(f"commentEx {para}: no comment paragraph has this w14:paraId")
            if parent is not None and parent not in paras:
                problems.append(f"commentEx {para}: parent {parent} is no comment")
            if entry.get(f"{{{W15}}}done") not in ("0", "1", None):
                problems.append(f"commentEx {para}: done must be 0 or 1")
            if not (len(para or "") == 8 and int(para, 16) < 0x80000000):
                problems.append(f"commentEx {para}: paraId must be 8 hex digits below 80000000")
        if set(paras) - seen:
            problems.append("comments with a paraId but no commentEx")

    # Every r:id in a part names a relationship of that part.
    for name, content in parts.items():
        if not name.endswith(".xml") or name.startswith("["):
            continue
        root = etree.fromstring(content)
        used = {
            v
            for e in root.iter()
            if isinstance(e.tag, str)
            for k, v in e.attrib.items()
            if k.startswith(f"{{{R}}}")
        }
        if not used:
            continue
        rels_name = posixpath.join(posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels")
        rels = etree.fromstring(parts[rels_name]) if rels_name in parts else None
        known = {r.get("Id"): r for r in rels} if rels is not None else {}
        for rid in used - set(known):
            problems.append(f"{name}: r:id {rid} has no relationship")
    # Every internal relationship points at a part that exists, with a content type.
    types = etree.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName").lstrip("/") for o in types if o.get("PartName")}
    defaults = {d.get("Extension") for d in types if d.get("Extension")}
    for name, content in parts.items():
        if not name.endswith(".rels"):
            continue
        source = name.replace("_rels/", "").removesuffix(".rels")
        for rel in etree.fromstring(content):
            if rel.get("TargetMode") == "External":
                continue
            target = _target(source if source else "/", rel.get("Target"))
            if target not in parts:
                problems.append(f"{name}: {rel.get('Id')} points at missing {target}")
            elif target not in overrides and target.rsplit(".", 1)[-1] not in defaults:
                problems.append(f"{target}: no content type")
    return problems
