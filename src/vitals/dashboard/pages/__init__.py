"""The built-in pages; importing this package registers them (one module per page, one template each).

To add a page: write ``vitals/dashboard/pages/<name>.py`` calling ``registry.register(Page(...))`` with a
``build(view) -> Content`` function, add ``templates/<name>.html`` extending ``base.html``, and import the
module below.
"""

from vitals.dashboard.pages import (  # noqa: F401
    catalog,
    customer_success,
    data_health,
    digest,
    executive,
    marketing,
    org,
    product,
    reliability,
    revenue,
    sales,
)
