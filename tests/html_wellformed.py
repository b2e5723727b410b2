#!/usr/bin/python3
"""html_wellformed.py FILE... - prints what is wrong with each HTML
summary, nothing when all are fine (tests/e2e/register.sh, large.sh)."""
# A real HTML parser reads the document: elements nest and close, and
# nothing could run or be fetched (no script, style sheet, image, frame,
# form; no src/href/action attribute; no url() or @import in a style).
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "hr", "link", "input", "col", "wbr"}
BANNED = {"script", "style", "link", "img", "iframe", "object", "embed",
          "form", "base", "svg", "video", "audio", "source"}
class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.doctype, self.charset = [], [], False, False
    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"
    def handle_starttag(self, tag, attrs):
        if tag in BANNED:
            self.errors.append(f"<{tag}> at {self.getpos()}")
        for k, v in attrs:
            v = (v or "").lower()
            if k in ("src", "href", "action", "background", "srcset", "formaction") \
               or k.startswith("on") or "url(" in v or "@import" in v \
               or "javascript:" in v:
                self.errors.append(f"{tag} {k}={v!r} at {self.getpos()}")
            if tag == "meta" and k == "charset" and v == "utf-8":
                self.charset = True
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:] }")
        else:
            self.stack.pop()
for path in sys.argv[1:]:
    p = Check()
    p.feed(open(path, encoding="utf-8").read())
    p.close()
    for e in p.errors[:5]:
        print(f"{path}: {e}")
    if p.stack:
        print(f"{path}: unclosed {p.stack[:5]}")
    if not p.doctype or not p.charset:
        print(f"{path}: missing <!DOCTYPE html> or <meta charset=utf-8>")
