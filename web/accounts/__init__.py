"""The accounts context's pages: home, sign-up and login, the community overview, residents, the street."""
