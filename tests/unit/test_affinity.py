"""Suggested mentors from expertise and preferences, for tracks without named choices."""

from mailflow.program.affinity import suggested_choices

MENTORS = [
    {"email": "vision@x.org", "fields": {"expertise": "medical image segmentation, MRI",
                                         "sector": "academia"}},
    {"email": "robot@x.org", "fields": {"expertise": "surgical robotics, navigation",
                                        "sector": "industry"}},
    {"email": "seg@x.org", "fields": {"expertise": "image segmentation with deep learning",
                                      "sector": "industry"}},
]


def test_mentors_sharing_the_wanted_expertise_come_first():
    mentee = {"fields": {"expertise_wanted": "segmentation of MRI images"}}
    assert suggested_choices(mentee, MENTORS)[:2] == ["vision@x.org", "seg@x.org"]


def test_the_preferred_sector_breaks_a_tie():
    mentee = {"fields": {"expertise_wanted": "image segmentation", "mentor_sector": "industry"}}
    assert suggested_choices(mentee, MENTORS)[0] == "seg@x.org"


def test_nothing_shared_suggests_nobody_rather_than_a_guess():
    mentee = {"fields": {"expertise_wanted": "grant writing"}}
    assert suggested_choices(mentee, MENTORS) == []
