"""The volunteer station (志愿服务站): action days, shifts, sign-up and waitlist, attendance, hours, certificates."""
