"""Party-member registration (在职党员到社区报到): registrations, service record, feedback reports."""
