import pytest

from dlcourse.exercises.questions import Question, predict

MC = Question("Q1", "b", "Because b.", choices={"a": "first", "b": "second"})
NUM = Question("Q2", 0.25, "It is a quarter.", rtol=0.2)


def test_unanswered_question_says_how_and_hides_the_explanation():
    r = predict(MC, None)
    assert not r and "not answered yet" in r.message and "Because" not in r.message


def test_multiple_choice_right_wrong_and_invalid():
    assert predict(MC, "B") and "Because b." in predict(MC, "b").message
    wrong = predict(MC, "a")
    assert not wrong and "(b) second" in wrong.message and "Because b." in wrong.message
    assert "not one of the choices" in predict(MC, "z").message


def test_numeric_answer_within_tolerance():
    assert predict(NUM, 0.27) and not predict(NUM, 0.5) and not predict(NUM, "x")
    assert not predict(NUM, float("nan"))


def test_answer_must_be_a_choice():
    with pytest.raises(ValueError, match="not one of the choices"):
        Question("Q3", "c", "", choices={"a": "", "b": ""})
