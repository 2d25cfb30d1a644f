"""The README's "From Python" example runs as written."""
import re

from helpers import ROOT


def test_readme_python_section_runs(capsys):
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## From Python.*?```python\n(.*?)```", text, re.S).group(1)
    exec(compile(block, "README.md (From Python)", "exec"), {})
    assert "(1024, 256)" in capsys.readouterr().out
