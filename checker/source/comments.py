"""The real comments of an HCL file, and its top-level items, read as Terraform's scanner reads them.

A `# ...` inside a quoted string or a heredoc is text, not a comment, so nothing
that reads comments (inline suppressions) may find them with a regex over lines.
This lexer follows the HCL native syntax specification and its scanner
(hashicorp/hcl `hclsyntax/spec.md` and `hclsyntax/scan_tokens.rl`):

- Line comments start with `#` or `//` and end before the newline; inline
  comments run from `/*` to the first `*/`. Comments "cannot begin within other
  comments, or within template literals except inside an interpolation sequence
  or template directive".
- A quoted template runs from `"` to the next unescaped `"` (a backslash escapes
  the next character). The scanner stays in the string across a raw newline
  (an error token, not the string's end), and so does this lexer.
- `${` and `%{` open an interpolation or directive: an expression, which may hold
  comments, strings, heredocs and braces of its own, up to its unmatched `}`.
  `$${` and `%%{` are the escapes for a literal `${` and `%{`.
- A heredoc opens with `<<ID` or `<<-ID` directly followed by a newline, and
  closes at a line that, trimmed of whitespace on both sides, is `ID`, for both
  forms (the scanner compares `bytes.TrimSpace` of the line), and only when no
  interpolation began earlier on that line. Backslashes are not escapes there.

A top-level item is a block (`resource "t" "n" { ... }`) or an attribute: it
begins at its first token at the top level and ends at the newline that
follows once every bracket it opened is closed. Identifiers are approximated by
Python's `\\w` (Unicode letters, digits, `_`) plus `-`.

One pass from start to end, jumping with regular expressions from one
character that can change the state to the next: linear in the text's size.
Past `MAX_NESTING` open strings, heredocs and sequences the rest is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

IDENT = re.compile(r"[^\W\d][\w-]*")
HEREDOC_OPEN = re.compile(r"<<(-?)([^\W\d][\w-]*)\r?\n")
SPACES = re.compile(r"[ \t\r\n]*")
# Only what can change the state: a bare `<` or `/` is an operator, skipped unseen.
CODE_STOP = re.compile(r'[\n"{}\[\]()#]|//|/\*|<<(?=-?[^\W\d])')
QUOTED_STOP = re.compile(r'\\.|\$\$\{|%%\{|\$\{|%\{|"', re.S)
HEREDOC_STOP = re.compile(r"\$\$\{|%%\{|\$\{|%\{|\n")
TRIM = " \t\r\v\f"  # what the closing marker's line may carry around the marker
MAX_NESTING = 10_000  # strings, heredocs and template sequences open at once
OPENERS = "{[("
CLOSERS = "}])"


class Comment(NamedTuple):
    line: int  # the line it starts on (1-based)
    text: str  # from `#`, `//` or `/*` to the end of its line (newline excluded) or its `*/`

    @property
    def kind(self) -> str:
        """`#`, `//` or `/*`."""
        return self.text[:2] if self.text.startswith(("//", "/*")) else "#"


class Item(NamedTuple):
    """A top-level block or attribute of a file."""

    line: int  # the line of its first token
    end_line: int  # the line of the newline that ends it
    keyword: str  # its first identifier (`resource`, `data`, `locals`, ...), "" if none


class Scan(NamedTuple):
    comments: tuple[Comment, ...]
    items: tuple[Item, ...]


@dataclass
class _Code:
    """Expressions and structure: the file's top level, or a `${`/`%{` sequence."""

    sequence: bool  # a template sequence: ends at its unmatched `}`
    depth: int = 0  # brackets opened in this frame and not yet closed


@dataclass
class _Quoted:
    """A quoted template, between its `"`s."""


@dataclass
class _Heredoc:
    marker: str
    line_start: bool = True  # nothing of the current line has been read yet


_Frame = _Code | _Quoted | _Heredoc


@dataclass
class _Lexer:
    """Each step reads on in the frame on top of the stack until it pushes or pops one."""

    text: str
    pos: int = 0
    frames: list[_Frame] = field(default_factory=lambda: [_Code(sequence=False)])
    comments: list[Comment] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item: tuple[int, str] | None = None  # the open top-level item: its line and keyword
    line: int = 1
    counted: int = 0  # newlines before this offset are counted in `line`

    def line_at(self, offset: int) -> int:
        """The line of `offset`; offsets are asked for in increasing order only."""
        self.line += self.text.count("\n", self.counted, offset)
        self.counted = offset
        return self.line

    def push(self, frame: _Frame) -> None:
        """Enter a string, heredoc or template sequence. Past `MAX_NESTING` the rest of
        the text is not read: no comment there counts, and memory stays bounded."""
        if len(self.frames) >= MAX_NESTING:
            self.pos = len(self.text)
        self.frames.append(frame)

    def run(self) -> Scan:
        if self.text.startswith("\ufeff"):  # the scanner drops a byte order mark
            self.pos = self.counted = 1
        while self.pos < len(self.text):
            frame = self.frames[-1]
            if isinstance(frame, _Code):
                self.code(frame)
            elif isinstance(frame, _Quoted):
                self.quoted()
            else:
                self.heredoc(frame)
        if self.item is not None:
            self.close_item(len(self.text))
        return Scan(tuple(self.comments), tuple(self.items))

    def open_item(self) -> bool:
        """At the top level between items: skip blank space and comments, then open the
        next item at its first token. False at the end of the text."""
        text = self.text
        while True:
            start = SPACES.match(text, self.pos)
            self.pos = start.end() if start else self.pos
            if self.pos >= len(text):
                return False
            if not text.startswith(("#", "//", "/*"), self.pos):
                break
            self.comment(self.pos)
        keyword = IDENT.match(text, self.pos)
        self.item = (self.line_at(self.pos), keyword[0] if keyword else "")
        return True

    def code(self, frame: _Code) -> None:
        text, top = self.text, len(self.frames) == 1
        while True:
            if top and frame.depth == 0 and self.item is None and not self.open_item():
                return
            found = CODE_STOP.search(text, self.pos)
            if found is None:
                self.pos = len(text)
                return
            at, char = found.start(), found[0]
            self.pos = found.end()
            if char == "\n":
                if top and frame.depth == 0 and self.item is not None:
                    self.close_item(at)
            elif char in OPENERS:
                frame.depth += 1
            elif char in CLOSERS:
                if frame.sequence and frame.depth == 0 and char == "}":
                    self.frames.pop()
                    return
                frame.depth = max(frame.depth - 1, 0)
            elif char == '"':
                self.push(_Quoted())
                return
            elif char.startswith("<<"):
                heredoc = HEREDOC_OPEN.match(text, at)
                if heredoc is not None:  # else two `<` operators and a name
                    self.pos = heredoc.end()
                    self.push(_Heredoc(marker=heredoc[2]))
                    return
            else:
                self.comment(at)

    def comment(self, at: int) -> None:
        text = self.text
        if text.startswith("/*", at):
            close = text.find("*/", at + 2)
            end = len(text) if close < 0 else close + 2  # unclosed: nothing after it counts
            body = text[at:end]
        else:
            newline = text.find("\n", at)
            end = len(text) if newline < 0 else newline  # the newline still ends an item
            body = text[at:end].rstrip("\r")
        self.comments.append(Comment(self.line_at(at), body))
        self.pos = end

    def quoted(self) -> None:
        while True:
            found = QUOTED_STOP.search(self.text, self.pos)
            if found is None:
                self.pos = len(self.text)
                return
            self.pos = found.end()
            if found[0] == '"':
                self.frames.pop()
                return
            if found[0] in ("${", "%{"):
                self.push(_Code(sequence=True))
                return

    def heredoc(self, frame: _Heredoc) -> None:
        text = self.text
        while self.pos < len(text):
            if frame.line_start:
                newline = text.find("\n", self.pos)
                end = len(text) if newline < 0 else newline
                if text[self.pos : end].strip(TRIM) == frame.marker:
                    self.frames.pop()
                    self.pos = end  # the newline after the marker ends the attribute
                    return
                frame.line_start = False
            found = HEREDOC_STOP.search(text, self.pos)
            if found is None:
                self.pos = len(text)
                return
            self.pos = found.end()
            if found[0] == "\n":
                frame.line_start = True
            elif found[0] in ("${", "%{"):
                self.push(_Code(sequence=True))
                return

    def close_item(self, at: int) -> None:
        assert self.item is not None
        line, keyword = self.item
        self.items.append(Item(line, self.line_at(at), keyword))
        self.item = None


def scan(text: str) -> Scan:
    """The real comments of an HCL text and its top-level items, in file order."""
    return _Lexer(text).run()


def real_comments(text: str) -> tuple[Comment, ...]:
    """Only the comments of an HCL text: never text inside a string or a heredoc."""
    return scan(text).comments
