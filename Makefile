# Instructor commands. `make notebooks` after editing source/*.ipynb; `make check` before a commit.
PYTHON ?= python
NB ?=

.PHONY: notebooks check site test

# Re-execute the instructor source and regenerate + execute the learner edition
# (NB="03 05" limits it to the notebooks whose names start with 03 or 05).
notebooks:
	$(PYTHON) tools/build_editions.py $(NB)

# Drift check (learner edition == what source/ generates) and both editions through nbval.
check:
	$(PYTHON) tools/build_editions.py --check
	$(PYTHON) -m pytest -q source notebooks

# The course website (Jupyter Book, from the committed learner edition) in site/_build/html.
site:
	bash tools/build_site.sh

test:
	$(PYTHON) -m pytest
