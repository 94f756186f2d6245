"""Interactive network views: one self-contained, offline HTML file per view.

* :func:`group_view` draws one group's ads and what links them;
* :func:`around_view` draws everything within a few links of one identifier or ad;
* :func:`overview` draws every group as one node, joined where groups share identifiers.

Each returns a :class:`ViewInfo`. The pages load nothing from the network, show
ad texts as plain text only, and hide potential victims' persona names, ages
and pictures unless ``reveal=True``.
"""

from graphthb.views.network import ViewInfo, around_view, group_view, overview

__all__ = ["ViewInfo", "around_view", "group_view", "overview"]
