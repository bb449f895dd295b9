"""Cut Natural Earth files down to Afghanistan and Pakistan (a one-off; kept to show how).

Usage (input files as named in data/geo/README.md):

    python data/geo/cut_natural_earth.py ADMIN1.geojson BOUNDARY_LINES_LAND.geojson

Writes data/geo/afpak_admin1.geojson (first-order divisions of both countries) and
data/geo/afpak_border.geojson (the Afghanistan-Pakistan land boundary). Geometry is copied as is;
only coordinates are rounded to 0.001 degree (about 100 m) to keep the files small, a few name
fields and Natural Earth's label point (latitude, longitude) are kept, and a field name_today gives
today's names of Pakistan's units (NAME_TODAY below). Standard library only.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEEP = ("name", "name_en", "adm0_a3", "iso_3166_2", "type_en", "latitude", "longitude")
# Natural Earth's Pakistan layer uses older names; the map labels Pakistan's units with today's.
NAME_TODAY = {"Baluchistan": "Balochistan", "Sind": "Sindh", "K.P.": "Khyber Pakhtunkhwa",
              "F.A.T.A.": "former FATA", "Northern Areas": "Gilgit-Baltistan",
              "Azad Kashmir": "Azad Kashmir", "Punjab": "Punjab", "F.C.T.": "Islamabad Capital Territory"}


def rounded(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 3), round(coords[1], 3)]
    return [rounded(c) for c in coords]


def cut(features, keep):
    out = []
    for f in features:
        geom = f["geometry"]
        out.append({"type": "Feature", "properties": keep(f["properties"]),
                    "geometry": {"type": geom["type"], "coordinates": rounded(geom["coordinates"])}})
    return out


def write(name, features, note):
    path = HERE / name
    fc = {"type": "FeatureCollection", "note": note, "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(path.name, len(features), "features", path.stat().st_size, "bytes")


def main(admin1_path, lines_path):
    admin1 = json.loads(Path(admin1_path).read_text(encoding="utf-8"))["features"]
    afpak = [f for f in admin1 if f["properties"].get("adm0_a3") in ("AFG", "PAK")]
    afpak.sort(key=lambda f: (f["properties"]["adm0_a3"], f["properties"]["name"]))
    write("afpak_admin1.geojson",
          cut(afpak, lambda p: {**{k: p.get(k) for k in KEEP},
                                "name_today": NAME_TODAY.get(p["name"], p["name"])}),
          "Natural Earth 1:10m admin-1 (public domain), cut to AFG and PAK; see README.md")
    lines = json.loads(Path(lines_path).read_text(encoding="utf-8"))["features"]
    border = [f for f in lines
              if {f["properties"].get("adm0_a3_l"), f["properties"].get("adm0_a3_r")} == {"AFG", "PAK"}]
    write("afpak_border.geojson",
          cut(border, lambda p: {k: p.get(k) for k in ("adm0_left", "adm0_right", "featurecla")}),
          "Natural Earth 1:10m admin-0 land boundary lines (public domain), AFG-PAK only; see README.md")


if __name__ == "__main__":
    main(*sys.argv[1:3])
