"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from app.academy.models import (  # noqa: F401
    Academy,
    Assignment,
    AuditEvent,
    Certificate,
    Cohort,
    CohortMembership,
    ImportBatch,
    MandatoryCourse,
)
from app.auth.models import User  # noqa: F401
from app.curriculum.models import (  # noqa: F401
    Country,
    Course,
    Module,
    ModuleRendition,
    ModuleVersion,
    Question,
    QuestionBank,
)
from app.learning.models import CourseProgress, ModuleProgress, QuizAttempt  # noqa: F401
from app.coverage.models import ApiToken, TargetPopulation  # noqa: F401,E402
