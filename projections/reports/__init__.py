"""Reports over the views: one facade, typed rows, one way to draw them.

* ``facade``: ``Reports``, every report one call (``reports.kpi(scope, cycle)``,
  ``reports.eplan_status(province, fiscal_year, as_of)``, ...) narrowed by a ``ReadScope``
  (``scope``), answering typed rows (``results``);
* ``render``: ``render(report, fmt)``, JSON, CSV, XLSX (``tables``) and the e-Plan status
  table's own layout (``eplan_layout``, also as an HTML page);
* the reports that fold several views: completeness KPIs and the overdue list (``kpi``),
  upcoming retirements (``retirements``), the e-Plan status table (``eplan_status``).

Thai text throughout, dates in the Buddhist era, counts with thousands separators.
"""
