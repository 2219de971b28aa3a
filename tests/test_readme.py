"""The README's Python examples run as written, and its commands are the ones CI runs."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_python_examples_run(capsys):
    blocks = python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "FILL" in capsys.readouterr().out


def test_ci_runs_exactly_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci/run").read_text()


def test_the_readme_replay_commands_run_from_a_fresh_folder(tmp_path):
    """Every replay command the README shows that needs no file from outside
    the project (not the shared data, not the reader's own flow.csv) runs as
    written, in order, in an empty folder."""
    import subprocess
    import sys

    block = README.split("### Replaying historical order flow", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("python -m engine")]
    runnable = [c for c in commands if "../shared" not in c and "flow.csv" not in c]
    assert len(runnable) >= 5
    for command in runnable:
        run = subprocess.run(command.replace("python", f'"{sys.executable}"', 1) + " --no-progress"
                             if " replay" in command else command.replace("python", f'"{sys.executable}"', 1),
                             shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{command}: {run.stderr}"
        assert "Traceback" not in run.stderr
    assert (tmp_path / "book.parquet").exists() and (tmp_path / "sym1.csv").exists()
