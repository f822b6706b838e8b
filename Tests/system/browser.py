"""Browser suite: headless Chromium (Debian's chromium and chromium-driver, Selenium from PyPI) walks
the demo shop as a shopper would — catalog, product, add to cart, checkout, thanks — and as two
people would: Mira (a maker, with an account) likes a product; a new shopper registers, follows
Mira and finds the like in the feed; and, with --payments stripe against localstripe, a shopper pays
for an order on its page with a 3-D Secure card. Screenshots of every step go to test-artifacts/browser/."""
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as expected
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

from agora_site import running_site

ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts", "browser")


class Walk:
    def __init__(self, site, driver):
        self.site = site
        self.driver = driver
        self.step = 0

    def open(self, path):
        self.driver.get(self.site.url + path)

    def shot(self, name):
        self.step += 1
        self.driver.save_screenshot(os.path.join(ARTIFACTS, f"{self.step:02d}-{name}.png"))

    def wait_for(self, condition, timeout=10):
        # A condition may read the page while a form's answer replaces it: an element found on the
        # old page is then stale, or not there yet; ask again rather than fail.
        return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(condition)

    def fill(self, fields):
        for name, value in fields.items():
            element = self.driver.find_element(By.NAME, name)
            element.clear()
            element.send_keys(value)

    def wait_for_path(self, path):
        # `url_contains("/account/")` already holds on /account/login/ itself, before the form's
        # answer arrives: a page opened then can be replaced by that answer.
        return self.wait_for(lambda driver: urllib.parse.urlparse(driver.current_url).path == path)

    def submit(self, form_selector):
        self.driver.find_element(By.CSS_SELECTOR, form_selector + " [type=submit]").click()


def shop(walk):
    walk.open("/catalog/")
    cards = walk.driver.find_elements(By.CSS_SELECTOR, ".product-card")
    assert cards, "the catalog lists products"
    walk.shot("catalog")
    walk.driver.find_element(By.CSS_SELECTOR, '.product-card[data-sku="CE-001"] .card-title a').click()
    walk.wait_for(expected.url_contains("/products/ash-glaze-mug/"))
    assert "Ash-Glazed Mug" in walk.driver.find_element(By.TAG_NAME, "h1").text
    walk.shot("product")
    walk.submit("form.add-to-cart")
    # The theme script adds in place and updates the header; without it the form lands on /cart/.
    walk.wait_for(lambda driver: "/cart/" in driver.current_url
                  or "1" in driver.find_element(By.CSS_SELECTOR, "[data-cart-summary]").text)
    walk.open("/catalog/")
    # A static page: the theme script fills the header from GET /api/cart.
    walk.wait_for(lambda driver: driver.find_element(By.CSS_SELECTOR, "[data-cart-summary]").text.startswith("Your cart: 1 item, "))
    walk.open("/cart/")
    assert "Ash-Glazed Mug" in walk.driver.page_source
    assert walk.driver.find_element(By.CSS_SELECTOR, "[data-cart-summary]").text.startswith("Your cart: 1 item, ")
    assert walk.driver.find_elements(By.CSS_SELECTOR, ".cart-thumb img"), "the cart shows each line's thumbnail"
    walk.shot("cart")
    # The cart's "Estimate shipping and tax for" select: the estimate for Portugal, remembered.
    Select(walk.driver.find_element(By.ID, "estimate-country")).select_by_value("PT")
    walk.submit("form.estimate-form")
    walk.wait_for(lambda driver: "Shipping to Portugal (estimate)" in driver.find_element(By.TAG_NAME, "main").text)
    walk.shot("cart-estimate")
    # A 390 px phone: the cart and the checkout fit the screen, nothing runs off to the side.
    walk.driver.set_window_size(390, 844)
    for path, name in [("/cart/", "cart-phone"), ("/orders/checkout/", "checkout-phone")]:
        walk.open(path)
        overflow = walk.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than a 390 px screen"
        walk.shot(name)
    walk.driver.set_window_size(1280, 900)
    walk.open("/cart/")
    walk.driver.find_element(By.CSS_SELECTOR, 'a[href="/orders/checkout/"]').click()
    walk.wait_for(expected.url_contains("/orders/checkout/"))
    walk.fill({"first_name": "Ana", "last_name": "Silva", "email": "ana@example.com", "address": "Rua das Flores 1",
               "postal_code": "4050-262", "city": "Porto"})
    Select(walk.driver.find_element(By.ID, "country")).select_by_value("PT")
    walk.shot("checkout")
    walk.submit("form.checkout-form")
    walk.wait_for(expected.url_matches(r"/orders/[A-Z0-9]{4}-[A-Z0-9]{4}/$"))
    text = walk.driver.find_element(By.TAG_NAME, "main").text
    assert "Ash-Glazed Mug" in text, text
    assert "Shipping to Portugal" in text and "Tax included in the prices" in text, text
    walk.shot("thanks")


def like_as_mira(walk):
    walk.open("/account/login/")
    walk.fill({"username": "mira", "password": "mira's glaze notebook"})
    walk.submit("form.checkout-form")
    walk.wait_for_path("/account/")
    walk.open("/products/celadon-bowl/")
    walk.submit("form[data-like]")
    walk.wait_for(lambda driver: driver.find_element(By.CSS_SELECTOR, "form[data-like] button").get_attribute("aria-pressed") == "true"
                  or "/account/" not in driver.current_url and "Unlike" in driver.page_source)
    walk.shot("mira-likes-the-bowl")
    # Her own profile: the theme hides Follow once GET /api/people/mira says is_self.
    walk.open("/people/mira/")
    walk.wait_for(lambda driver: not driver.find_element(By.CSS_SELECTOR, "form.follow-form").is_displayed())
    walk.shot("mira-own-profile")
    walk.open("/tags/")
    assert walk.driver.find_elements(By.CSS_SELECTOR, ".tag-index a"), "the tags page lists tags"
    walk.shot("tags")
    walk.driver.delete_all_cookies()


def follow_and_read_the_feed(walk):
    walk.open("/account/register/")
    walk.fill({"username": "reader", "email": "reader@example.com", "name": "Rita Reader", "password": "correct horse battery"})
    walk.submit("form.checkout-form")
    walk.wait_for_path("/account/")
    walk.open("/people/mira/")
    walk.submit("form.follow-form")
    walk.wait_for(lambda driver: driver.find_element(By.CSS_SELECTOR, "form.follow-form button").get_attribute("aria-pressed") == "true"
                  or "Unfollow" in driver.page_source)
    walk.shot("following-mira")
    walk.open("/account/")
    items = [item.text for item in walk.driver.find_elements(By.CSS_SELECTOR, ".feed-item")]
    assert any("Mira Okafor" in item and "likes" in item and "Celadon" in item for item in items), items
    walk.shot("feed")


@contextlib.contextmanager
def localstripe():
    """localstripe (PyPI) on a free port of 127.0.0.1: a Stripe-compatible API, a fake Stripe.js and
    signed webhooks; stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tempfile.mkdtemp(prefix="agora-localstripe-")
    process = subprocess.Popen([sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def pay_by_card(driver):
    """With --payments stripe: a shopper orders, pays on the order page with localstripe's Stripe.js
    (a card that asks for 3-D Secure, completed in its dialog), and the webhook marks the order paid."""
    secret = "whsec_browser_walk"
    with localstripe() as stripe:
        os.environ.update(STRIPE_SECRET_KEY="sk_test_browser", STRIPE_PUBLISHABLE_KEY="pk_test_browser",
                          STRIPE_WEBHOOK_SECRET=secret)
        with running_site("--payments", "stripe", "--stripe-api", stripe, "--stripe-js", stripe + "/js.stripe.com/v3/") as site:
            hook = urllib.parse.urlencode({"url": site.url + "/api/payments/stripe/webhook", "secret": secret}).encode()
            urllib.request.urlopen(stripe + "/_config/webhooks/browser", data=hook, timeout=5).close()
            walk = Walk(site, driver)
            walk.step = 50
            walk.open("/products/ash-glaze-mug/")
            walk.submit("form.add-to-cart")
            walk.wait_for(lambda driver: "1" in driver.find_element(By.CSS_SELECTOR, "[data-cart-summary]").text)
            walk.open("/orders/checkout/")
            walk.fill({"first_name": "Rui", "last_name": "Costa", "email": "rui@example.com", "address": "Rua Nova 2",
                       "postal_code": "1100-001", "city": "Lisboa"})
            Select(walk.driver.find_element(By.ID, "country")).select_by_value("PT")
            walk.submit("form.checkout-form")
            walk.wait_for(expected.url_matches(r"/orders/[A-Z0-9]{4}-[A-Z0-9]{4}/$"))
            assert "Waiting for payment" in walk.driver.find_element(By.TAG_NAME, "main").text
            field = walk.wait_for(lambda driver: driver.find_elements(By.CSS_SELECTOR, "[data-card-field] input[placeholder=number]"))
            field[0].send_keys("4000002500003155")
            for name, value in [("exp_month", "12"), ("exp_year", "30"), ("cvc", "123"), ("postal_code", "1100")]:
                walk.driver.find_element(By.CSS_SELECTOR, f"[data-card-field] input[placeholder={name}]").send_keys(value)
            walk.shot("card")
            walk.submit("form[data-payment]")
            confirm = walk.wait_for(lambda driver: [b for b in driver.find_elements(By.TAG_NAME, "button")
                                                    if b.text == "Complete authentication"])
            walk.shot("3d-secure")
            # localstripe's dialog sits at 50 % of the body, under the sticky header: click it as a script.
            walk.driver.execute_script("arguments[0].click()", confirm[0])
            walk.wait_for(lambda driver: driver.find_elements(By.CSS_SELECTOR, '[data-order-status="paid"]'), timeout=30)
            text = walk.driver.find_element(By.TAG_NAME, "main").text
            assert "Paid" in text and "card payment pi_" in text, text
            assert not walk.driver.find_elements(By.CSS_SELECTOR, "form[data-payment]"), "a paid order offers no payment"
            walk.shot("paid")


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"]:
        options.add_argument(argument)
    with running_site() as site:
        site.agora("users", "create", "mira", "--email", "mira@example.com", "--name", "Mira Okafor",
                   input="mira's glaze notebook\n")
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
        try:
            walk = Walk(site, driver)
            shop(walk)
            walk.driver.delete_all_cookies()
            like_as_mira(walk)
            follow_and_read_the_feed(walk)
            walk.driver.delete_all_cookies()
            pay_by_card(driver)
        except Exception:
            Walk(site, driver).driver.save_screenshot(os.path.join(ARTIFACTS, "failure.png"))
            raise
        finally:
            driver.quit()
    print(f"browser walk passed; screenshots in {os.path.normpath(ARTIFACTS)}")


if __name__ == "__main__":
    sys.exit(main())
