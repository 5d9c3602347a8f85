"""dlcourse.exercises.progress(): the saved notebooks' exercises, checked, in one table."""

import json
import shutil
from pathlib import Path

import dlcourse.exercises as exercises
from dlcourse.exercises.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
NB = "02_activation_functions.ipynb"


def _replace_stub(path: Path, function: str, body: str) -> None:
    """Give the learner's ``function`` a new body in the saved notebook."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if (
            cell["cell_type"] == "code"
            and f"def {function}(" in src
            and "NotImplementedError" in src
        ):
            cell["source"] = src.replace("raise NotImplementedError()", body)
            break
    else:
        raise AssertionError(f"no stub for {function}")
    path.write_text(json.dumps(nb))


def test_learner_edition_shows_every_exercise_not_written(tmp_path):
    shutil.copy(ROOT / "notebooks" / NB, tmp_path)
    table = exercises.progress(tmp_path)
    assert isinstance(table, Progress)
    assert [(r.exercise, r.status) for r in table.rows] == [
        ("activation_backward", "not written yet")
    ]
    assert table.done == 0 and "0 of 1 exercises correct" in repr(table)


CORRECT_BACKWARD = """print('hello from the learner')
    if kind == "sigmoid":
        s = 0.5 * (1 + np.tanh(0.5 * Z))
        return dA * s * (1 - s)
    if kind == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    if kind == "relu":
        return dA * (Z > 0)
    if kind == "leaky_relu":
        return np.where(Z > 0, dA, slope * dA)
    return np.where(Z > 0, dA, dA * alpha * np.exp(np.minimum(Z, 0)))"""


def test_written_wrong_and_broken_solutions(tmp_path, capsys):
    # notebook 02 has one exercise: a second copy of it holds the broken solution
    path, copy = tmp_path / NB, tmp_path / "02_zz_second_copy.ipynb"
    shutil.copy(ROOT / "notebooks" / NB, path)
    shutil.copy(ROOT / "notebooks" / NB, copy)
    _replace_stub(path, "activation_backward", CORRECT_BACKWARD)
    _replace_stub(copy, "activation_backward", "pass")
    rows = exercises.progress(tmp_path).rows
    assert [(r.notebook, r.exercise) for r in rows] == [
        (path.stem, "activation_backward"),
        (copy.stem, "activation_backward"),
    ]
    assert rows[0].status == "correct", rows[0].message
    assert rows[1].status == "not yet" and "did you forget `return`" in rows[1].message
    assert "hello" not in capsys.readouterr().out  # the learner's prints stay out


def test_syntax_error_and_unreadable_notebook_are_rows_not_exceptions(tmp_path):
    path = tmp_path / NB
    shutil.copy(ROOT / "notebooks" / NB, path)
    _replace_stub(path, "activation_backward", "return (")
    (tmp_path / "03_broken.ipynb").write_text("{not json")
    rows = exercises.progress(tmp_path).rows
    assert rows[0].status == "cannot run" and "syntax error" in rows[0].message
    assert rows[-1].notebook == "03_broken" and rows[-1].status == "cannot run"


def test_instructor_source_is_all_correct():
    table = exercises.progress(ROOT / "source", notebooks=["00", "02", "12"])
    assert len(table.rows) == 6 and table.done == 6, repr(table)  # 00 two, 02 one, 12 three


def test_every_check_of_the_package_is_an_exercise_of_the_course():
    rows = exercises.progress(ROOT / "notebooks").rows
    assert len(rows) == len(exercises.topic_checks())


def test_empty_or_missing_folder(tmp_path):
    assert exercises.progress(tmp_path).rows == ()
    assert "no exercises found" in repr(exercises.progress(tmp_path))
    assert exercises.progress(tmp_path / "nope").rows == ()
