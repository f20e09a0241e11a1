"""The roundtable (议事会/圆桌会): meetings, agenda, attendance, votes, minutes, resolutions and their follow-up."""
