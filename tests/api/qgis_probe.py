"""Run by Debian's /usr/bin/python3 (python3-qgis is built for it, not for the venv): load
every collection of an OGC API – Features server as QGIS does, headless, and print what
QGIS saw as JSON. Used by tests/api/test_gis_clients.py; not a test module itself.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/api/qgis_probe.py URL COLLECTION…
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFeatureRequest,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)

#: The box the bbox request asks for (around al-Tanf).
BOX = (38.5, 33.3, 39.0, 33.6)


def main() -> None:
    url, collections = sys.argv[1], sys.argv[2:]
    application = QgsApplication([], False)
    application.initQgis()
    assert application
    messages = []

    def record(message: str, tag: str, level: Qgis.MessageLevel) -> None:
        messages.append({"tag": tag, "level": int(level), "message": message})

    QgsApplication.messageLog().messageReceived.connect(record)
    report = {"version": Qgis.QGIS_VERSION, "layers": {}, "messages": messages}
    for collection in collections:
        layer = QgsVectorLayer(f"url='{url}' typename='{collection}'", collection, "OAPIF")
        entry = {"valid": layer.isValid()}
        if layer.isValid():
            entry.update(
                count=layer.featureCount(),
                read=sum(1 for _ in layer.getFeatures()),
                geometry=QgsWkbTypes.displayString(layer.wkbType()),
                crs=layer.crs().authid(),
                fields=[field.name() for field in layer.fields()],
            )
            # A fresh layer that asks the server for the box (QGIS's "Only request features
            # overlapping the view extent"); without it QGIS fetches all and filters itself.
            source = f"url='{url}' typename='{collection}' restrictToRequestBBOX='1'"
            boxed = QgsVectorLayer(source, collection, "OAPIF")
            request = QgsFeatureRequest().setFilterRect(QgsRectangle(*BOX))
            entry["in_box"] = sorted(str(f["id"]) for f in boxed.getFeatures(request))
        report["layers"][collection] = entry
    print(json.dumps(report), flush=True)
    # QGIS 3.22 may crash tearing down providers at exitQgis; the report is out, so leave.
    os._exit(0)


if __name__ == "__main__":
    main()
