"""The password policy: long enough, not guessable from the account, not a common password."""
from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 200

# The most used passwords of ten characters or more (from public breach lists), Italian ones too.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1111111111", "qwertyuiop", "password12",
    "password123", "password1234", "passwordpassword", "iloveyou12", "qwerty1234",
    "qwerty12345", "1q2w3e4r5t", "1qaz2wsx3edc", "zaq12wsxcde", "abcdefghij", "abc1234567",
    "abcd123456", "admin12345", "administrator", "letmein123", "welcome123", "football123",
    "princess123", "changeme123", "passw0rd12", "p@ssw0rd12", "p4ssw0rd123", "trustno1234",
    "benvenuto1", "benvenuto123", "ciaociao12", "ciaociao123", "amoremio12", "juventus123",
    "napoli1926", "forzainter", "forzamilan", "forzaroma1", "ilovecivic", "civiclab123",
    "passwordpa", "cambiami123", "segreto1234", "qwertzuiop", "asdfghjkl1", "zxcvbnm123",
})


def password_problem(password, email="", display_name=""):
    """The reason `password` is refused, in the user's language, or None when it is fine."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("La password deve avere almeno %(n)s caratteri.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("La password può avere al massimo %(n)s caratteri.", n=MAX_LENGTH)
    if password.isdigit():
        return _("La password non può essere composta solo da numeri.")
    folded = password.casefold()
    email = (email or "").strip().casefold()
    personal = {email, email.partition("@")[0], (display_name or "").strip().casefold()} - {""}
    if folded in personal or folded.replace(" ", "") in personal:
        return _("La password non può essere uguale al tuo indirizzo email o al tuo nome.")
    if folded in COMMON_PASSWORDS or len(set(folded)) <= 2:
        return _("Questa password è troppo comune e facile da indovinare: scegline un'altra.")
    return None
