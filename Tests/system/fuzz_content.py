"""Content fuzzing: hypothesis writes product files — front matter built from Agora's own keys with
hostile values, broken YAML and fences, invalid UTF-8, random bytes — into a small valid site and
runs `agora check` on it. It must never crash: exit 0 (and then `agora build` succeeds too), or
exit 1 with every line in the `file:line: key: message` form. Numbers and dates are drawn from
their grammar with extreme values (huge, negative, overlong, wrong calendar) and also put into
otherwise valid products, so they reach every page, feed and manifest of the build. Files in
fuzz-regressions/content/ (crashes found once, kept) run first.
FUZZ_EXAMPLES sets the number of generated cases (default 150; run thousands locally)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from hypothesis import HealthCheck, given, settings, strategies as st

from agora_site import AGORA

# The default short run (make test, CI) is the same every time; a longer run explores anew.
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
REGRESSIONS = os.path.join(os.path.dirname(__file__), "fuzz-regressions", "content")
ERROR_LINE = re.compile(r"^.+:\d+: [^:\n]+: .+$")

KEYS = ["name", "sku", "slug", "category", "price", "stock", "available", "image", "maker", "date", "draft", "tags",
        "weight", "username", "photo", "website", "active", "title", "unknown_key", "params"]
SCALARS = st.one_of(
    st.text(max_size=40), st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True), st.booleans(),
    st.sampled_from(["12.50", "1e9", "0x1F", "-0", "1.999", "ceramics", "mira", "images/x.png", "../../etc/passwd",
                     "2026-02-30", "2026-13-01", "null", "~", "&anchor", "*alias", "!!binary AAAA", "{a: [b, {c: d}]}",
                     "'unterminated", '"\\u0000"', "\t", "\u202e", "<script>alert(1)</script>", "a" * 300]))


# Front-matter numbers and dates at and beyond their limits (SPEC §6.11): what a typo, a
# spreadsheet export or a hostile contributor could write.
EXTREME_NUMBERS = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["0", "-0", "+1", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                     "92233720368547758.07", "92233720368547758.08", "99999999999999999999.99", "0.001", "1e400", "-1e400",
                     "1e-400", ".5", "5.", "1_000", "0x7fffffffffffffff", "0o17", "0b1", "1,5", "１２", "٣", ".inf",
                     "-.inf", ".nan", "12.50 ", " 12", "1" * 400]),
    st.tuples(st.integers(0, 2**64), st.integers(0, 10**6)).map(lambda pair: f"{pair[0]}.{pair[1]}"))
EXTREME_DATES = st.one_of(
    st.sampled_from(["99999-01-01", "0000-01-01", "0001-01-01", "-001-01-01", "+2026-01-01", "2026-02-29", "2024-02-29",
                     "2026-02-30", "2026-04-31", "2026-00-10", "2026-13-01", "2026-1-1", "1969-12-31", "1900-01-01",
                     "9999-12-31", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00+99:00", "2026-W01", "20260101",
                     "2026-01-01 00:00:00", "9223372036854775807-01-01"]),
    st.tuples(st.integers(-10**12, 10**12), st.integers(-1, 100), st.integers(-1, 100))
      .map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"))
EXTREME_KEYS = {"price": EXTREME_NUMBERS, "stock": EXTREME_NUMBERS, "weight": EXTREME_NUMBERS, "date": EXTREME_DATES}


def yaml_value(value):
    if isinstance(value, str):
        return value if value and "\n" not in value else repr(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


@st.composite
def front_matter_files(draw):
    # Half the files start from a valid product, so that the hostile values also reach the build.
    valid = draw(st.booleans())
    lines = ["name: Fuzz", "category: ceramics", "price: 1"] if valid else []
    if valid and draw(st.booleans()):
        # One number or date at its limits in an otherwise valid product (it replaces price when drawn).
        key = draw(st.sampled_from(sorted(EXTREME_KEYS)))
        lines = [line for line in lines if not line.startswith(key + ":")]
        lines.append(f"{key}: {yaml_value(draw(EXTREME_KEYS[key]))}")
    for key in draw(st.lists(st.sampled_from([key for key in KEYS if not valid or key not in ("name", "category", "price")]),
                             max_size=3 if valid else 12)):
        form = draw(st.integers(0, 4))
        if form == 4 and key in EXTREME_KEYS:
            lines.append(f"{key}: {yaml_value(draw(EXTREME_KEYS[key]))}")
        elif form in (0, 4):
            lines.append(f"{key}: {yaml_value(draw(SCALARS))}")
        elif form == 1:
            lines.append(f"{key}: [{', '.join(yaml_value(draw(SCALARS)) for _ in range(draw(st.integers(0, 3))))}]")
        elif form == 2:
            lines.append(f"{key}:\n  nested: {yaml_value(draw(SCALARS))}")
        else:
            lines.append(draw(st.text(max_size=30)))  # whatever the line becomes
    opening = "---\n" if valid else draw(st.sampled_from(["---\n", "--- \n", "---\r\n", "", "----\n", "\ufeff---\n"]))
    closing = "---\n" if valid else draw(st.sampled_from(["---\n", "", "...\n", "--- x\n"]))
    text = opening + "\n".join(lines) + "\n" + closing + draw(st.text(max_size=200))
    data = text.encode("utf-8", "surrogatepass")
    if not valid and draw(st.booleans()):
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.binary(max_size=8)) + data[position:]
    return data


BUILDS = [0]


def check(site, data):
    with open(os.path.join(site, "content", "products", "fuzz.md"), "wb") as file:
        file.write(data)
    result = subprocess.run([AGORA, "check", "--site", site], capture_output=True, timeout=60)
    assert result.returncode in (0, 1), f"agora check ended with {result.returncode} on {data!r}\n{result.stderr[-2000:]!r}"
    if result.returncode == 0:
        # Valid content must also build: every page rendered, the manifests written.
        built = subprocess.run([AGORA, "build", "--site", site, "--quiet"], capture_output=True, timeout=120)
        BUILDS[0] += 1
        assert built.returncode == 0, f"agora build ended with {built.returncode} on {data!r}\n{built.stderr[-2000:]!r}"
    if result.returncode == 1:
        lines = result.stderr.decode("utf-8", "replace").splitlines()
        assert lines and lines[-1].startswith("Error: "), lines
        problems = [line for line in lines[:-1] if "broken link" not in line]
        assert problems and all(ERROR_LINE.match(line) for line in problems), f"unexpected error lines for {data!r}: {lines}"


def main():
    site = tempfile.mkdtemp(prefix="agora-fuzz-")
    try:
        subprocess.run([AGORA, "init", site], check=True, stdout=subprocess.DEVNULL)
        for name in sorted(os.listdir(REGRESSIONS)):
            with open(os.path.join(REGRESSIONS, name), "rb") as file:
                check(site, file.read())

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
                  suppress_health_check=list(HealthCheck))
        @given(front_matter_files())
        def fuzz(data):
            check(site, data)

        fuzz()
        print(f"content fuzzing passed: {len(os.listdir(REGRESSIONS))} kept cases, {EXAMPLES} generated, {BUILDS[0]} built")
    finally:
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
