# The browser tests' requirements, for scripts/test (sourced). They need Debian's headless
# Chromium and its chromedriver (apt-get install chromium chromium-driver) and selenium (the
# `test` extra). scripts/test runs them whenever it can; when it cannot, the run fails, unless the
# user chose `scripts/test --no-browser`, which says that they were skipped.

browser_missing() {
    # Print why the browser tests cannot run here (nothing when they can); exit status 1 if they cannot.
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromedriver)
    if (( ${#missing[@]} )); then
        echo "the browser tests need ${missing[*]}: apt-get install chromium chromium-driver" \
             "(or run scripts/test --no-browser to skip them, explicitly)"
        return 1
    fi
}

check_browser() {
    # A step of scripts/test: fails loudly when the browser tests cannot run.
    local why
    if ! why=$(browser_missing); then
        echo "==> browser tests CANNOT RUN: $why"
        return 1
    fi
    echo "browser tests: $(command -v chromium), $(command -v chromedriver)"
}
