"""Party-member registration (在职党员到社区报到): routes, pages, the report CSV and the demo."""
