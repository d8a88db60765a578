"""Classroom training: sessions of a course (or some of its modules) taught by trainers on given days at a
place, their participants, the printed attendance sheet, and attendance and paper test results recorded
afterwards. A participant who attended and passed completes the session's modules as a classroom
completion, counted with the online ones and marked as such (`delivery`)."""
