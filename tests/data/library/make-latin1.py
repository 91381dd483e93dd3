# Writes dgcl-latin1.rss: dgcl-utf8.rss encoded in ISO-8859-1, as some
# publishers serve their feeds.
import pathlib
here = pathlib.Path(__file__).parent
text = (here / "dgcl-utf8.rss").read_text(encoding="utf-8")
(here / "dgcl-latin1.rss").write_bytes(text.encode("iso-8859-1"))
