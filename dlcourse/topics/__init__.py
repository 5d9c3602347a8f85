"""Lesson numerics: the computations behind one syllabus idea each (numpy only).

Notebooks and dashboards read them; each module says which notebooks use it.
"""
