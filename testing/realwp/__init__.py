"""Real WordPress for the test suite: Debian's WordPress 6.1 served by PHP on 127.0.0.1.

``WordPressSite(Variant(theme, permalinks, rest))`` provisions one site in seconds (a database
on the shared MariaDB, a docroot of symlinks, PHP's built-in server), fills it with Lao posts
through WordPress's own API and reads the ground truth back from WordPress (``site.truth``).
``python -m testing.realwp`` serves one for a person to look at.
"""

from testing.realwp.site import WordPressSite, unavailable_reason
from testing.realwp.truth import AbsentPost, GroundTruth, TruthPost
from testing.realwp.variants import PERMALINKS, REST_MODES, THEMES, Variant, theme_rest_grid

__all__ = [
    "PERMALINKS",
    "REST_MODES",
    "THEMES",
    "AbsentPost",
    "GroundTruth",
    "TruthPost",
    "Variant",
    "WordPressSite",
    "theme_rest_grid",
    "unavailable_reason",
]
