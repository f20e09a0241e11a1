"""Use cases, one mixin per bounded context, combined into `domain.application.Linli`."""
