"""Validate WordprocessingML parts against the ECMA-376 transitional schemas in ../shared/ooxml-xsd/."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
XSD = next(
    (
        base / "ooxml-xsd"
        for base in (ROOT.parent / "shared", Path("/work/shared"))
        if (base / "ooxml-xsd").exists()
    ),
    ROOT.parent / "shared" / "ooxml-xsd",
)


class _Local(etree.Resolver):
    """Every import resolves inside the folder: the W3C xml.xsd and the DCMI schemas from dc/."""

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        for folder in ("transitional", "opc", "dc"):
            candidate = XSD / folder / name
            if candidate.exists():
                return self.resolve_filename(str(candidate), context)
        return None


@functools.cache
def schema(folder: str, name: str) -> etree.XMLSchema:
    """The compiled schema *folder*/*name* (the test fails, never skips, when the folder is missing)."""
    path = XSD / folder / name
    if not path.exists():
        pytest.fail(f"the OOXML schemas are missing at {XSD}")
    parser = etree.XMLParser()
    parser.resolvers.add(_Local())
    target = etree.parse(str(path), parser).getroot().get("targetNamespace")
    # wml.xsd imports the xml: namespace without a location: a wrapper names xml.xsd first.
    wrapper = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:remiss:wrapper">'
        f'<xsd:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="{(XSD / "dc" / "xml.xsd").as_uri()}"/>'
        f'<xsd:import namespace="{target}" schemaLocation="{path.as_uri()}"/>'
        "</xsd:schema>"
    )
    return etree.XMLSchema(etree.fromstring(wrapper, parser, base_url=(path.parent / "wrapper.xsd").as_uri()))


MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def without_ignorable(root: etree._Element) -> etree._Element:
    """*root* as Word reads it: elements and attributes of the ``mc:Ignorable`` namespaces dropped."""
    prefixes = (root.get(f"{{{MC}}}Ignorable") or "").split()
    ignorable = {root.nsmap[p] for p in prefixes if p in root.nsmap}
    if f"{{{MC}}}Ignorable" in root.attrib:
        del root.attrib[f"{{{MC}}}Ignorable"]
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).namespace in ignorable and element.getparent() is not None:
            element.getparent().remove(element)
            continue
        for attribute in list(element.attrib):
            if attribute.startswith("{") and attribute[1:].split("}")[0] in ignorable:
                del element.attrib[attribute]
    return root


def errors(part: bytes, folder: str = "transitional", name: str = "wml.xsd") -> list[str]:
    """The schema's complaints about *part* (empty when valid), after Word's mc:Ignorable pass."""
    validator = schema(folder, name)
    document = without_ignorable(etree.fromstring(part))
    if validator.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in validator.error_log][:20]
