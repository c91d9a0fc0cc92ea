"""Turn mail HTML (and format=flowed text) into readable plain text, quoted parts marked "> ".

The HTML is parsed by justhtml, an HTML5 tree builder whose work stays linear on hostile
markup (unclosed tags, stray end tags, deep nesting), and the tree is walked without recursion.
"""

from __future__ import annotations

import html as html_module
import re
from typing import Any

from justhtml import JustHTML, Node, Text

_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base"})
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "blockquote"}
)
_LINE = frozenset(
    {
        "div", "li", "tr", "dd", "dt", "section", "article", "header", "footer", "address",
        "center", "figure", "figcaption", "main", "nav", "aside", "form", "fieldset", "tbody",
        "thead", "tfoot", "caption", "hr", "body", "html",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
# Outlook puts the header block of the quoted original in one of these; all that follows is quoted.
_OUTLOOK_BORDER = re.compile(r"border-top:\s*solid\s+#(?:E1E1E1|B5C4DF)", re.IGNORECASE)
_QUOTE_CLASSES = frozenset({"gmail_quote", "yahoo_quoted", "moz-forward-container"})
_QUOTE_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"})
# Deeper quoting and list nesting are drawn at this depth: the text stays in proportion to the HTML.
MAX_MARKED_DEPTH = 10
_TAGS = re.compile(r"<[^>]*>")


class _TextBuilder:
    """Builds lines from start/end/text events, prefixing those inside quotes with "> "."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.has_text = False  # the current line holds more than whitespace
        self.line_depth = 0
        self.pre = 0
        self.blockquotes = 0
        self.containers = 0
        self.rest_quoted = 0
        self.space_pending = False
        self.cell_pending = False
        self.lists: list[list[int]] = []  # one [counter] per open list; counter -1 for <ul>

    @property
    def depth(self) -> int:
        return min(max(self.blockquotes, self.containers) + self.rest_quoted, MAX_MARKED_DEPTH)

    def _break(self) -> None:
        """End the current line if it has content."""
        if self.current:
            text = "".join(self.current).rstrip()
            self.lines.append("> " * self.line_depth + text if text else ">" * self.line_depth)
            self.current = []
            self.has_text = False
        self.space_pending = False
        self.cell_pending = False

    def _blank(self) -> None:
        """End the current line and leave one blank line."""
        self._break()
        if self.lines and self.lines[-1].strip(" >"):
            self.lines.append(">" * self.depth)

    def _write(self, text: str) -> None:
        if not self.current:
            self.line_depth = self.depth
        self.current.append(text)
        self.has_text = self.has_text or bool(text.strip())

    def start(self, tag: str, attr: dict[str, str]) -> tuple[bool, bool]:
        """Open element `tag`; returns (quote container, Outlook line) for its end."""
        if tag == "br":
            if not self.current:
                self._write("")
            self._break()
            return False, False
        container = False
        mso_line = tag == "p" and "msonormal" in attr.get("class", "").lower()
        if tag not in _VOID:
            classes = set(attr.get("class", "").lower().split())
            container = tag != "blockquote" and bool(classes & _QUOTE_CLASSES)
            if attr.get("id", "").lower() in _QUOTE_IDS or _OUTLOOK_BORDER.search(
                attr.get("style", "")
            ):
                self._break()
                self.rest_quoted = 1
        if mso_line or (tag in ("ul", "ol") and self.lists):
            self._break()  # Outlook writes one <p class=MsoNormal> per line; nested lists
        elif tag in _PARAGRAPH:
            self._blank()
        elif tag in _LINE:
            self._break()
        if container:
            self.containers += 1
        if tag == "blockquote":
            self.blockquotes += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            indent = "  " * min(max(len(self.lists) - 1, 0), MAX_MARKED_DEPTH)
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                self._write(f"{indent}{self.lists[-1][0]}. ")
            else:
                self._write(f"{indent}- ")
        elif tag in _CELL and self.current:
            self.cell_pending = True  # cells of a row are kept apart by a tab
        elif tag == "hr":
            self._write("-" * 20)
            self._break()
        return container, mso_line

    def end(self, tag: str, container: bool, mso_line: bool) -> None:
        """Close element `tag`, opened with the flags `start` returned."""
        if container:
            self.containers = max(self.containers - 1, 0)
        if tag == "blockquote":
            self.blockquotes = max(self.blockquotes - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if mso_line and not self.current:
            self._blank()  # Outlook's empty <p class=MsoNormal>&nbsp;</p> separates paragraphs
        elif mso_line or tag in _LINE or (tag in ("ul", "ol") and self.lists):
            self._break()
        elif tag in _PARAGRAPH:
            self._blank()

    def text(self, data: str) -> None:
        if self.pre:
            for index, chunk in enumerate(data.replace("\r\n", "\n").split("\n")):
                if index:
                    if not self.current:
                        self._write("")
                    self._break()
                if chunk:
                    self._write(chunk)
            return
        if data[:1].isspace():
            self.space_pending = True
        words = data.split()
        if not words:
            return
        if self.cell_pending and self.current:
            self._write("\t")
        elif self.space_pending and self.has_text:
            self._write(" ")
        self.cell_pending = False
        self._write(" ".join(words))
        self.space_pending = data[-1:].isspace()


def _walk(root: Node, builder: _TextBuilder) -> None:
    """Feed the document tree to `builder` in document order, with an explicit stack."""
    # Entries are nodes still to visit, or (tag, container, mso_line) ends still to close.
    todo: list[Node | Text | tuple[str, bool, bool]] = [root]
    while todo:
        entry = todo.pop()
        if isinstance(entry, tuple):
            builder.end(*entry)
            continue
        item: Any = entry  # justhtml's Node and Text: name, data, children, attrs
        name = item.name
        if name == "#text":
            if item.data:
                builder.text(item.data)
            continue
        if name.startswith(("#comment", "!")):
            continue
        children = item.children or []
        if not name.startswith("#"):  # an element; "#document" and fragments are only walked
            tag = name.lower()
            if tag in _SKIP:
                continue
            attr = {k.lower(): (v or "") for k, v in item.attrs.items()} if item.attrs else {}
            container, mso_line = builder.start(tag, attr)
            if tag in _VOID:
                continue
            todo.append((tag, container, mso_line))
        todo.extend(reversed(children))


def _finish(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line.strip(" >") and (not out or not out[-1].strip(" >")):
            continue  # collapse runs of blank lines (quoted or not)
        out.append(line)
    while out and not out[-1].strip(" >"):
        out.pop()
    return "\n".join(out)


def html_to_text(html: str) -> str:
    """Convert HTML mail to plain text, keeping structure and marking quoted parts with "> "."""
    builder = _TextBuilder()
    try:
        _walk(JustHTML(html, sanitize=False).root, builder)
    except Exception:  # the parser is lenient; should it ever fail, keep the words at least
        return " ".join(html_module.unescape(_TAGS.sub(" ", html)).split())
    builder._break()
    return _finish(builder.lines)


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676)."""
    out: list[tuple[int, str]] = []
    joining = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        body = body[1:] if body.startswith(" ") else body
        if joining and out and out[-1][0] == depth:
            out[-1] = (depth, out[-1][1] + body)
        else:
            out.append((depth, body))
        joining = body.endswith(" ") and body != "-- "
        if joining and delsp:
            out[-1] = (depth, out[-1][1][:-1])
    return "\n".join(("> " * d + b) if d else b for d, b in out)


def quote_lines(text: str) -> str:
    """`text` with every line marked as quoted ("> ")."""
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))
