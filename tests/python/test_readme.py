"""The README's "From Python" example runs as written."""
import re

from helpers import ROOT


def test_readme_python_section_runs(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # as written: from the repository's top folder (data/... paths)
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## From Python.*?```python\n(.*?)```", text, re.S).group(1)
    exec(compile(block, "README.md (From Python)", "exec"), {})
    out = capsys.readouterr().out
    assert "(1024, 256)" in out and "month 2020-04-01" in out
