"""Running a service from an operation that declares its refusals conflicts (`conflict=True`): a
refusal that names a field is about what was sent (422 on that field); one that names none is a
conflict with the data's state (409: already supported, the call closed, the thread closed)."""
from civiclab.api.errors import ApiError
from civiclab.core.errors import DomainError, NotAllowed


def run_service(service, *args, **kwargs):
    """`service(*args, **kwargs)`; a DomainError naming a field becomes a 422 on it."""
    try:
        return service(*args, **kwargs)
    except NotAllowed:
        raise
    except DomainError as refusal:
        if refusal.field:
            raise ApiError(422, refusal.message, fields={refusal.field: refusal.message}) from None
        raise
