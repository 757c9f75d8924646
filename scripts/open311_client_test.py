"""Interoperability check: the `georeport` client library (PyPI) against onewindow's Open311 API.

Usage: open311_client_test.py BASE_URL API_KEY
  BASE_URL  e.g. http://127.0.0.1:8080/open311/v2
  API_KEY   an `owk_...` key (`onewindow api-key create`)

The library has no POST method: requests are filed with `requests` (which georeport itself
uses), then read back through georeport in JSON (its default) and XML (parsed by xmltodict).
Prints one line per check and a final `N passed, M failed`; exits 1 on any failure.
"""

import struct
import sys
import zlib
from datetime import datetime, timedelta, timezone

import requests
import xmltodict
from georeport import GeoReport

JURISDICTION = "linjiang.gov.cn"
passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def tiny_png(w, h):
    """A real PNG photo stand-in (a colour gradient), made with the standard library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(w) for v in ((x * 4) % 256, (y * 5) % 256, 120)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def as_list(x):
    """xmltodict gives a dict for a one-element list and None for an empty one."""
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    base, key = sys.argv[1].rstrip("/"), sys.argv[2]
    js = GeoReport(base, jurisdiction=JURISDICTION, api_key=key)
    xml = GeoReport(base, jurisdiction=JURISDICTION, api_key=key, output_format="xml")

    # Discovery (not in georeport's API: read it directly, both formats).
    d = requests.get(f"{base}/discovery.json", timeout=30)
    check("discovery.json 200", d.status_code == 200, d.status_code)
    formats = d.json()["endpoints"][0]["formats"]
    check("discovery lists XML and JSON", formats == ["text/xml", "application/json"], formats)
    check("discovery.xml 200", requests.get(f"{base}/discovery.xml", timeout=30).status_code == 200)

    # Service list.
    services = js.get_service_list()
    check("services.json: 44 services", len(services) == 44, len(services))
    codes = [s["service_code"] for s in services]
    check("service codes unique ASCII strings", len(set(codes)) == 44 and all(isinstance(c, str) and c.isascii() for c in codes))
    xservices = xml.get_service_list()
    check("services.xml: same codes in the same order", [s["service_code"] for s in xservices] == codes)
    noise = next(s for s in services if s["service_code"] == "HJBH-ZSWR")
    check("noise service: Chinese name and group", (noise["service_name"], noise["group"]) == ("噪声污染", "环境保护"), noise)
    check("noise service: metadata true (JSON boolean)", noise["metadata"] is True, noise["metadata"])
    xnoise = next(s for s in xservices if s["service_code"] == "HJBH-ZSWR")
    check("noise service in XML: metadata 'true'", xnoise["metadata"] == "true" and xnoise["service_name"] == "噪声污染", xnoise)

    # Service definitions.
    definition = js.get_service_definition("HJBH-ZSWR")
    attrs = definition["attributes"]
    time_attr = next(a for a in attrs if a["code"] == "NOISE_TIME")
    check("definition.json: NOISE_TIME singlevaluelist, required", (time_attr["datatype"], time_attr["required"]) == ("singlevaluelist", True), time_attr)
    check("definition.json: values", [v["key"] for v in time_attr["values"]] == ["day", "night", "allday"])
    xdef = xml.get_service_definition("LDSB-TQGZ")
    xattrs = as_list(xdef["attributes"]["attribute"])
    amount = next(a for a in xattrs if a["code"] == "WAGE_AMOUNT")
    check("definition.xml: WAGE_AMOUNT number, required", (amount["datatype"], amount["required"]) == ("number", "true"), amount)

    # File a request (POST, form-encoded, api_key in the body).
    text = "噪声扰民：楼下「欢乐颂」KTV 每晚 <22:00> 后仍营业 & \"音响\" 很吵\n请尽快处理。"
    form = {
        "api_key": key,
        "jurisdiction_id": JURISDICTION,
        "service_code": "HJBH-ZSWR",
        "lat": "30.2768",
        "long": "119.9687",
        "address_string": "西塘街道文一路 88 号",
        "description": text,
        "first_name": "小明",
        "last_name": "王",
        "phone": "13812345678",
        "email": "wang@example.cn",
        "attribute[NOISE_TIME]": "night",
        "attribute[NOISE_SOURCE]": "business",
    }
    r = requests.post(f"{base}/requests.json", data=form, timeout=30)
    check("POST requests.json 200", r.status_code == 200, r.text)
    created = r.json()
    check("POST answers a one-element array with service_request_id, no token",
          isinstance(created, list) and len(created) == 1 and isinstance(created[0].get("service_request_id"), str) and "token" not in created[0], created)
    number = created[0]["service_request_id"]
    r = requests.post(f"{base}/requests.xml", data=form, timeout=30)
    check("POST requests.xml 200 with text/xml", r.status_code == 200 and r.headers["content-type"].startswith("text/xml"), r.text)
    bad = dict(form)
    del bad["api_key"]
    r = requests.post(f"{base}/requests.json", data=bad, timeout=30)
    check("POST without api_key: 403 with errors", r.status_code == 403 and r.json()[0]["code"] == 403, r.text)
    bad = dict(form, **{"attribute[NOISE_TIME]": "noon"})
    r = requests.post(f"{base}/requests.xml", data=bad, timeout=30)
    check("POST with a bad attribute: 400 with errors", r.status_code == 400 and "<errors>" in r.text, r.text)

    # GeoReport v2 makes phone optional; FixMyStreet often sends none.
    no_phone = dict(form)
    del no_phone["phone"]
    r = requests.post(f"{base}/requests.xml", data=no_phone, timeout=30)
    check("POST without phone (as FixMyStreet sends): 200", r.status_code == 200 and "<service_request_id>" in r.text, r.text)

    # mySociety's servicerequestupdates (FixMyStreet syncs status back through it), both formats.
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    window = {"jurisdiction_id": JURISDICTION, "start_date": (now - timedelta(hours=2)).strftime(fmt), "end_date": (now + timedelta(minutes=5)).strftime(fmt)}
    r = requests.get(f"{base}/servicerequestupdates.xml", params=window, timeout=30)
    check("GET servicerequestupdates.xml 200", r.status_code == 200 and r.headers["content-type"].startswith("text/xml"), r.text)
    root = xmltodict.parse(r.text)
    check("servicerequestupdates.xml: <service_request_updates>", "service_request_updates" in root, r.text[:200])
    r = requests.get(f"{base}/servicerequestupdates.json", params=window, timeout=30)
    check("GET servicerequestupdates.json: a bare array", r.status_code == 200 and isinstance(r.json(), list), r.text[:200])

    # Read it back, one request.
    one = js.get_service_request(number)
    check("GET requests/{id}.json: same id", one["service_request_id"] == number, one)
    check("GET requests/{id}.json: status open", one["status"] == "open", one["status"])
    check("GET requests/{id}.json: Chinese description round-trips", one["description"].startswith(text), one["description"])
    check("GET requests/{id}.json: service code", one["service_code"] == "HJBH-ZSWR")
    check("GET requests/{id}.json: lat/long", (one["lat"], one["long"]) == (30.2768, 119.9687), (one["lat"], one["long"]))
    check("GET requests/{id}.json: requested_datetime with +08:00", one["requested_datetime"].endswith("+08:00"), one["requested_datetime"])
    check("GET requests/{id}.json: media_url null", one["media_url"] is None)
    xone = xml.get_service_request(number)
    check("GET requests/{id}.xml: same description", xone["description"] == one["description"], xone["description"])
    check("GET requests/{id}.xml: empty values are empty elements", xone["media_url"] is None and xone["zipcode"] is None)

    # A photo, as FixMyStreet sends it: multipart with a `media` file; GET gives its media_url.
    r = requests.post(f"{base}/requests.json", data=form, files={"media": ("photo.png", tiny_png(64, 48), "image/png")}, timeout=30)
    check("POST multipart with a media photo: 200", r.status_code == 200, r.text)
    pnum = r.json()[0]["service_request_id"]
    photo = js.get_service_request(pnum)
    media = photo.get("media_url") or ""
    check("GET requests/{id}.json: media_url is the photo's thumbnail", media.startswith("http") and media.endswith("/thumbnail"), media)
    img = requests.get(media, timeout=30) if media else None
    check("media_url serves a JPEG to anyone", img is not None and img.status_code == 200 and img.headers["content-type"] == "image/jpeg" and img.content[:2] == b"\xff\xd8")
    check("GET requests/{id}.xml: the same media_url", xml.get_service_request(pnum)["media_url"] == media)
    r = requests.post(f"{base}/requests.json", data=form, files={"media": ("photo.jpg", b"<html>not a photo</html>", "image/jpeg")}, timeout=30)
    check("POST with a media file that is not an image or document: 415", r.status_code == 415 and r.json()[0]["code"] == 415, r.text)

    # Lists and filters.
    listed = js.get_service_requests()
    ids = [x["service_request_id"] for x in listed]
    check("GET requests.json (default window) lists it", number in ids, len(ids))
    check("GET requests.json: at most 1000", len(listed) <= 1000)
    xlisted = as_list(xml.get_service_requests())
    check("GET requests.xml lists the same", [x["service_request_id"] for x in xlisted] == ids)
    only = js.get_service_requests(service_request_id=number, status="closed")
    check("service_request_id overrides status", [x["service_request_id"] for x in only] == [number], only)
    xonly = as_list(xml.get_service_requests(service_request_id=number))
    check("service_request_id in XML (one element)", [x["service_request_id"] for x in xonly] == [number])
    by_code = js.get_service_requests(service_code="HJBH-ZSWR")
    check("service_code filter", number in [x["service_request_id"] for x in by_code] and all(x["service_code"] == "HJBH-ZSWR" for x in by_code))
    check("status=open includes it", number in [x["service_request_id"] for x in js.get_service_requests(status="open")])
    check("status=closed excludes it", number not in [x["service_request_id"] for x in js.get_service_requests(status="closed")])
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    recent = js.get_service_requests(start_date=(now - timedelta(hours=1)).strftime(fmt), end_date=(now + timedelta(minutes=5)).strftime(fmt))
    check("start_date/end_date window includes it", number in [x["service_request_id"] for x in recent], len(recent))
    old = js.get_service_requests(start_date=(now - timedelta(days=200)).strftime(fmt), end_date=(now - timedelta(days=120)).strftime(fmt))
    check("an older window excludes it", number not in [x["service_request_id"] for x in old])
    try:
        js.get_service_requests(start_date=(now - timedelta(days=200)).strftime(fmt), end_date=now.strftime(fmt))
        check("a range over 90 days is refused", False)
    except requests.HTTPError as e:
        check("a range over 90 days is refused (400)", e.response.status_code == 400, e.response.status_code)
    try:
        GeoReport(base, jurisdiction="sfgov.org").get_service_list()
        check("a wrong jurisdiction is refused", False)
    except requests.HTTPError as e:
        check("a wrong jurisdiction is refused (404)", e.response.status_code == 404, e.response.status_code)
    try:
        js.get_service_request("2000-000001")
        check("an unknown request is 404", False)
    except requests.HTTPError as e:
        check("an unknown request is 404", e.response.status_code == 404, e.response.status_code)

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
