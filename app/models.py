"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from app.academy.models import Academy, ImportBatch  # noqa: F401
from app.audit.models import AuditEvent  # noqa: F401
from app.auth.models import ServicePeriod, User, UserToken  # noqa: F401
from app.certificates.models import Certificate  # noqa: F401
from app.classroom.models import ClassroomSession, SessionParticipant  # noqa: F401
from app.coverage.models import ApiToken, TargetPopulation  # noqa: F401
from app.curriculum.models import (  # noqa: F401
    Country,
    Course,
    Module,
    ModuleRendition,
    ModuleVersion,
    Question,
    QuestionBank,
)
from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse  # noqa: F401
from app.evaluation.models import FollowUp, ReactionResponse  # noqa: F401
from app.learning.models import AttemptAnswer, CourseProgress, ModuleProgress, QuizAttempt  # noqa: F401
from app.mail.models import OutboxMessage  # noqa: F401
from app.reminders.models import SentReminder  # noqa: F401
