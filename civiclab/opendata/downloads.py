"""The files of the open data: each dataset as CSV and JSON, and one ZIP with every CSV, a README
of the columns and the licence.

CSV: ";" between cells, UTF-8 with a BOM (so a spreadsheet reads the accents), a header row, CRLF
line ends, every text cell made spreadsheet-safe (core/spreadsheet.py: a cell that would start a
formula gets a leading apostrophe). JSON: a list of objects with the CSV's column names as keys,
the texts as they are.
"""
import csv
import io
import json
import zipfile

from flask_babel import gettext as _

from civiclab.core.i18n import in_language
from civiclab.core.spreadsheet import spreadsheet_safe
from civiclab.opendata.datasets import DATASETS, as_json, as_text, modified_dates, rows

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/legalcode"
LICENSE_DEED = "https://creativecommons.org/licenses/by/4.0/"
ARCHIVE_NAME = "civiclab-dati-aperti.zip"


def csv_cells(row):
    return [spreadsheet_safe(as_text(value)) for value in row]


def csv_chunks(dataset):
    """The dataset as CSV text, a few hundred rows at a time (for a streamed answer)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(dataset.header)
    for count, row in enumerate(rows(dataset), 1):
        writer.writerow(csv_cells(row.values()))
        if count % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(dataset):
    return "".join(csv_chunks(dataset))


def json_text(dataset):
    return json.dumps([{name: as_json(value) for name, value in row.items()} for row in rows(dataset)],
                      ensure_ascii=False, indent=1)


def readme_text():
    """The README of the archive: what each file holds, column by column (Markdown, in Italian)."""
    dates = modified_dates()
    lines = [
        "# " + _("CivicLab: dati aperti"), "",
        _("I dati pubblici della rete dei Laboratori aperti, rilasciati con licenza Creative Commons "
          "Attribuzione 4.0 Internazionale (CC BY 4.0): vedi il file LICENSE."), "",
        _("Formato dei file CSV: separatore punto e virgola (;), codifica UTF-8 con BOM, una riga di "
          "intestazione. Gli importi sono in euro con il punto come separatore decimale e due decimali "
          "(1234.50); le date sono nel formato AAAA-MM-GG, data e ora in ISO 8601 con il fuso orario "
          "italiano; sì/no come true/false; un valore assente è una cella vuota. Un testo che un foglio "
          "di calcolo leggerebbe come formula (che inizia con = + - @) è preceduto da un apostrofo."), "",
        _("Non contengono dati personali: delle proposte è indicato solo il nome pubblico dell'autore; "
          "la partecipazione agli eventi è data solo in forma aggregata."), "",
    ]
    for dataset in DATASETS:
        lines += [f"## {dataset.name}.csv: {dataset.title}", "", str(dataset.description), ""]
        if dates.get(dataset.name):
            lines += [_("Ultima modifica: %(date)s", date=dates[dataset.name].isoformat()), ""]
        lines += ["| " + _("colonna") + " | " + _("descrizione") + " |", "| --- | --- |"]
        lines += [f"| {column.name} | {column.description} |" for column in dataset.columns]
        lines.append("")
    return "\n".join(lines)


def license_text():
    return "\n".join([
        _("Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"), "",
        _("I dati di questo archivio sono messi a disposizione con licenza CC BY 4.0, la licenza che le "
          "Linee guida nazionali per la valorizzazione del patrimonio informativo pubblico indicano per "
          "i dati delle pubbliche amministrazioni."), "",
        _("Sei libero di: condividere (riprodurre, distribuire, comunicare al pubblico, esporre in "
          "pubblico, rappresentare, eseguire e recitare questo materiale con qualsiasi mezzo e formato) "
          "e modificare (remixare, trasformare il materiale e basarti su di esso per le tue opere) per "
          "qualsiasi fine, anche commerciale."), "",
        _("Alle seguenti condizioni: attribuzione. Devi riconoscere una menzione di paternità adeguata "
          "(per esempio \"Fonte: CivicLab\"), fornire un link alla licenza e indicare se sono state "
          "effettuate delle modifiche. Non puoi applicare termini legali o misure tecnologiche che "
          "impongano ad altri soggetti dei vincoli giuridici su quanto la licenza consente loro di fare."), "",
        _("Questo è un riassunto e non sostituisce la licenza. Il testo completo (codice legale):"),
        LICENSE_URL, "",
    ])


def archive_bytes():
    """The ZIP: every dataset's CSV, README.md and LICENSE (in Italian, whatever the reader's language)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, in_language("it"):
        for dataset in DATASETS:
            archive.writestr(f"{dataset.name}.csv", csv_text(dataset).encode("utf-8"))
        archive.writestr("README.md", readme_text().encode("utf-8"))
        archive.writestr("LICENSE", license_text().encode("utf-8"))
    return buffer.getvalue()
