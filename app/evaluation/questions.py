"""The questions, defined once: keys are stored, labels are interface msgids (translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Reaction questionnaire (Kirkpatrick level 1): Likert items, 1 (strongly disagree) to 5 (strongly agree).
REACTION_ITEMS = (
    ("relevance", _l("The course is relevant to my work.")),
    ("clarity", _l("The course material was clear.")),
    ("case_exercise", _l("The case exercise helped me apply what I learned.")),
    ("national_law", _l("The course covered the national law enough.")),
    ("recommend", _l("I would recommend the course to a colleague.")),
)
LIKERT = (
    (1, _l("Strongly disagree")),
    (2, _l("Disagree")),
    (3, _l("Neither agree nor disagree")),
    (4, _l("Agree")),
    (5, _l("Strongly agree")),
)
REACTION_KEYS = tuple(key for key, _label in REACTION_ITEMS)

#: Follow-up questionnaire (Kirkpatrick level 3), some months after completion.
IDENTIFIED_LABEL = _l("Since the course, have you identified a person who may be a victim of trafficking?")
IDENTIFIED = (("yes", _l("Yes")), ("no", _l("No")), ("unsure", _l("Not sure")))
REFERRED_LABEL = _l("Did you refer anyone, and to whom? (choose all that apply)")
REFERRALS = (
    ("none", _l("I referred no one")),
    ("nrm", _l("The national referral mechanism or its coordinator")),
    ("specialised_unit", _l("A specialised anti-trafficking unit")),
    ("prosecutor", _l("A prosecutor")),
    ("social_services", _l("Social services")),
    ("ngo", _l("A non-governmental organisation")),
    ("other", _l("Someone else")),
)
FREQUENCY_LABEL = _l("How often have you used what you learned in your work?")
FREQUENCY = (
    ("never", _l("Never")),
    ("once", _l("Once or twice")),
    ("monthly", _l("About monthly")),
    ("weekly", _l("Weekly or more")),
)
OBSTACLES_LABEL = _l("What got in the way of applying it?")
FOLLOW_UP_KEYS = ("identified", "referred", "frequency")
