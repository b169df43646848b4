"""The reader report: what the collector's events say about articles, formats and readers.

``load`` reads page views from the storage module, ``site`` reads reading times,
titles and audiences from the built site, ``metrics`` sums them per article,
``segments`` sorts readers into segments by documented rules, ``audience`` checks
each article against its ``Audience:``, ``departments`` joins an optional
directory with small groups suppressed, ``charts``/``dashboard``/``exports``
write the result and ``cli`` runs it all (``invoke report``). See docs/report/.
"""
