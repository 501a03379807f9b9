"""The demo data's content, taken from the seed documents (see civiclab/demo.py for the loader).

Texts are quoted from the seeds (Bologna's Piano Operativo, the BO3.3.1.b project sheet, PON Metro
Palermo, the Emilia-Romagna open labs, PN Metro Plus 2021-2027); nothing here is invented. Where
the seeds say nothing (most lab addresses, coordinates, opening hours) the field stays empty.
"""

PON_METRO = {
    "code": "2014IT16M2OP004",
    "slug": "pon-metro-2014-2020",
    "name": "PON Metro 2014-2020",
    "period": "2014-2020",
    "description": (
        "Programma Operativo Nazionale (PON) Città metropolitane 2014-2020.\n"
        "Il PON Metro rappresenta una grande opportunità per l'intero Sistema-Paese dal momento che "
        "prevede la realizzazione, per la prima volta in modo coordinato, di un vasto programma di "
        "investimenti rivolto non solo a 14 Città Capoluogo italiane ma anche al loro hinterland, "
        "attraverso il coinvolgimento di un numero assai rilevante di comuni dell'area metropolitana, "
        "variabile da città a città."
    ),
}

# (number, name, description): the five axes, described as Bologna's plan describes them.
PON_METRO_AXES = [
    (1, "Agenda digitale metropolitana", (
        "Progetti che hanno l'obiettivo di sviluppare la Rete Civica Metropolitana e servizi digitali "
        "utili a migliorare la qualità dei servizi e la vita dei cittadini, delle associazioni, delle imprese."
    )),
    (2, "Sostenibilità dei servizi pubblici e della mobilità urbana", (
        "Progetti che hanno l'obiettivo di intervenire in materia di efficienza energetica, mobilità "
        "sostenibile e ITS (Information Technologies Services)."
    )),
    (3, "Servizi per l'inclusione sociale", (
        "Progetti che intendono favorire il rafforzamento dei legami sociali, l'inclusione di fasce "
        "escluse, la messa in rete delle politiche sulla casa, il welfare, la scuola, l'orientamento al lavoro."
    )),
    (4, "Infrastrutture per l'inclusione sociale", (
        "Progetti che intendono contrastare le diverse forme di esclusione sociale sperimentando nuove "
        "forme di abitare e, in ambito professionale, offrendo nuovi spazi di coworking, formazione, "
        "incontro e scambio di competenze."
    )),
    (5, "Assistenza tecnica", (
        "Supporto progettuale, comunicazione e collaborazione come metodo strutturale di lavoro per lo "
        "sviluppo di tutti i progetti."
    )),
]

# The seeds give no CCI code for PN Metro Plus: this is a local code, not an official one.
PN_METRO_PLUS = {
    "code": "PN-METRO-PLUS-2021-2027",
    "slug": "pn-metro-plus-2021-2027",
    "name": "PN Metro Plus 2021-2027",
    "period": "2021-2027",
    "description": (
        "In continuità con l'azione del PON Metro 2014-2020, la strategia del PN Metro Plus 2021-2027 "
        "conferma l'attenzione sui temi dell'accompagnamento alla rivoluzione digitale e della "
        "promozione dell'innovazione urbana. L'attenzione del Programma rispetto al completamento della "
        "rivoluzione digitale e alla semplificazione e miglioramento del rapporto pubblica "
        "amministrazione/cittadino si configura come un'azione essenziale al fine di colmare il ritardo "
        "del nostro Paese e l'estrema debolezza italiana nell'utilizzo dei servizi in rete da parte dei "
        "cittadini e delle imprese.\n"
        "Le risorse PN Metro Plus per la digitalizzazione delle Città metropolitane (Priorità 1) sono "
        "336,84 milioni di euro pari all'11% della dotazione finanziaria complessiva."
    ),
}
PN_METRO_PLUS_AXES = [
    (1, "Agenda digitale", (
        "Obiettivo specifico RSO1.2 – Permettere ai cittadini, alle imprese, alle organizzazioni di "
        "ricerca e alle autorità pubbliche di cogliere i vantaggi della digitalizzazione.\n"
        "Obiettivo specifico RSO1.3 – Rafforzare la crescita sostenibile e la competitività delle PMI e "
        "la creazione di posti di lavoro nelle PMI, anche grazie agli investimenti produttivi."
    )),
]
PN_METRO_PLUS_ACTIONS = [
    (1, "1.1.2.1", "Agenda digitale metropolitana"),
    (1, "1.1.2.2", "Supporto alla domanda di servizi digitali da parte di cittadini e imprese"),
    (1, "1.1.3.1", "Innovazione urbana"),
]

# The 14 PON Metro metropolitan cities: (name, region, municipalities of the metropolitan city).
PON_METRO_CITIES = [
    ("Torino", "Piemonte", 312), ("Milano", "Lombardia", 133), ("Genova", "Liguria", 67),
    ("Venezia", "Veneto", 44), ("Bologna", "Emilia-Romagna", 55), ("Firenze", "Toscana", 41),
    ("Roma", "Lazio", 121), ("Napoli", "Campania", 92), ("Bari", "Puglia", 41),
    ("Reggio Calabria", "Calabria", 97), ("Cagliari", "Sardegna", 17), ("Catania", "Sicilia", 58),
    ("Messina", "Sicilia", 108), ("Palermo", "Sicilia", 82),
]
PALERMO_POPULATION = 1_265_921  # "Cittadini coinvolti", PON Metro Palermo in numeri
PALERMO_DESCRIPTION = (
    "Il PON Metro Palermo rappresenta una grande opportunità per il territorio del Comune di Palermo "
    "per continuare lungo il cammino di innovazione volto a garantire nuovi servizi, anche "
    "ridisegnando quelli già esistenti, ai propri cittadini e alle realtà produttive presenti; "
    "inoltre, offre la possibilità di avvicinare e coinvolgere digitalmente l'intero territorio "
    "metropolitano così da integrarlo nei processi di uso sostenibile e di governo.\n"
    "Il 21 gennaio 2017, presso la Sala Martorana di Palazzo Comitini, i Comuni della Città "
    "Metropolitana di Palermo hanno sottoscritto il «Patto per il Pon Metro Città di Palermo»: un "
    "patto di collaborazione che dispone di risorse per oltre 86 milioni di euro e coinvolge i Comuni "
    "dell'Area Metropolitana per lo sviluppo di innovative azioni strategiche."
)

EMILIA_ROMAGNA_NOTE = (
    "Autorità urbana della rete dei Laboratori aperti dell'Emilia-Romagna (POR FESR 2014-2020, asse "
    "«Città attrattive e partecipate»)."
)
LAB_NETWORK_TEXT = (
    "I laboratori aperti sono spazi attrezzati con soluzioni ICT avanzate in cui si sviluppano forme "
    "di confronto, cooperazione e collaborazione tra imprese, cittadinanza, terzo settore, università "
    "e mondo della ricerca e la pubblica amministrazione."
)
# The ten Emilia-Romagna urban authorities and their labs: (city, venue, theme, address).
# Only Sala Borsa's address is given; elsewhere the venue and city stand in for it.
EMILIA_ROMAGNA_LABS = [
    ("Bologna", "Sala Borsa / Urban Center", "immaginazione e innovazione civica",
     "Piazza del Nettuno 3, 40124 Bologna"),
    ("Ferrara", "ex Teatro Verdi", "turismo sostenibile e mobilità", None),
    ("Cesena", "Casa Bufalini", "cultura e società creativa", None),
    ("Forlì", "ex Asilo Santarelli", "patrimonio culturale e cittadinanza attiva", None),
    ("Modena", "ex centrale AEM", "cultura, spettacolo e creatività", None),
    ("Parma", "Monastero di San Paolo", "innovazione agroalimentare e open government", None),
    ("Piacenza", "ex Chiesa del Carmine", "logistica e mobilità sostenibile", None),
    ("Ravenna", "via Roma e Museo Classis", "fruizione turistica dei beni culturali", None),
    ("Reggio Emilia", "Chiostri di San Pietro", "innovazione sociale", None),
    ("Rimini", "Museo della città", "", None),  # the seeds give no theme for Rimini
]

BOLOGNA_PLAN = {
    "total_cents": 40_218_000_00,
    # Axis number -> euro cents; they sum to 37.770.000 €, the other 2.448.000 € is the reserve.
    "axes": {1: 5_357_425_00, 2: 11_500_000_00, 3: 9_830_384_00, 4: 10_032_191_00, 5: 1_050_000_00},
    "description": (
        "Il Piano Operativo della Città di Bologna definisce i progetti che saranno realizzati nel "
        "capoluogo e nell'area metropolitana di Bologna nell'ambito del Programma Operativo Nazionale "
        "(PON) Città metropolitane 2014-2020.\n"
        "Bologna Città Metropolitana nel suo complesso dispone di 40.218.000€ di risorse che saranno "
        "investite in una serie di azioni integrate volte ad affrontare le principali questioni "
        "relative allo sviluppo e alla coesione territoriale. Per la definizione e realizzazione dei "
        "progetti si intende introdurre nuovi modelli di innovazione sociale fondati sulla "
        "valorizzazione dei beni comuni e la collaborazione tra cittadini e Pubblica Amministrazione, "
        "con l'obiettivo di rafforzare il processo costitutivo della Città Metropolitana."
    ),
}

# Project BO3.3.1.b as its sheet shows it (seed 001); its description quoted line by line.
BO331B_PARAGRAPHS = (
    (
        'Il presente progetto, che sviluppa alcune azioni di supporto allo sviluppo del '
        'progetto BO3.3.1c e più in generale alla realizzazione delle finalità generali delle'
        " azioni di innovazione sociale, si perfeziona grazie all'integrazione con gli "
        'interventi previsti dal BO4.2.1a. Gli edifici riqualificati infatti potranno '
        'ospitare eventi relativi alle iniziative sul rilancio della cultura tecnica, '
        "l'implementazione e/o la riedizione dimostrativa dei progetti elaborati dai ragazzi,"
        ' eventi di coinvolgimento della cittadinanza riguardo alle azioni previste. Anche le'
        " strutture e gli edifici riqualificati grazie al BO4.1.1a, nell'ottica del continuo "
        'coinvolgimento delle realtà locali e dei target più fragili nelle attività di '
        'rigenerazione civica e di inclusione sociale, potranno ospitare iniziative legate al'
        ' presente progetto. Di conseguenza anche il target della BO3.1.1° (che coincide con '
        'quello della BO4.1.1a) potrà essere coinvolto nelle iniziative della presente '
        'azione: si prevede infatti che i partecipanti della BO3.1.1a possano sia usufruire '
        'dei servizi creati, sia contribuire alla creazione di azioni di volontariato e '
        'costruzione di eventi a rilevanza cittadina e metropolitana sui temi del disagio '
        'giovanile e sociale. In questa prospettiva, le attività potranno collegarsi anche '
        "alle azioni di inclusione ed innovazione sociale previste dall'azione BO3.3.1a, che "
        "condivide con la presente azione il target e l'impianto metodologico e concettuale "
        'basato sul welfare community.'
    ),
    (
        'Si sviluppano alcune azioni di supporto allo sviluppo del progetto BO3.3.1c e più in'
        ' generale alla realizzazione delle finalità generali delle azioni di innovazione '
        'sociale. Si prevedono interventi di diversa tipologia, tra loro interrelati dal '
        'punto di vista sia cronologico sia contenutistico:'
    ),
    '1) Governance',
    (
        'Per garantire il pilotaggio interistituzionale del progetto, verrà attivato dal '
        'Comune di Bologna e dalla Città Metropolitana di Bologna un Board che curerà il '
        'raccordo con le istituzioni e gli enti pubblici (Curia, associazioni '
        'imprenditoriali, CCIAA, Università, Regione, ...) e i soggetti privati (parti '
        'sociali, imprese, Terzo Settore, ...) già coinvolti nella progettazione discendente '
        'dal Piano Strategico Metropolitano, estendendolo ad ulteriori soggetti del '
        'territorio, che, ciascuno per le proprie competenze, può favorire la messa in campo '
        'di risorse ulteriori che in modo sinergico possono contribuire alla riuscita del '
        'progetto; promuoverà inoltre il modello di intervento presso altre Città '
        'Metropolitane e curerà il raccordo con altri programmi e iniziative locali e '
        'nazionali.'
    ),
    '2) Supporto tecnico',
    (
        'In supporto al sistema di governance previsto per il progetto e per tradurre le '
        'indicazioni strategiche in azioni concrete, verrà creata una tecnostruttura '
        'metropolitana, che erogherà servizi di prossimità alla comunità territoriale e ai '
        'soggetti organizzati che ne fanno parte. Avrà il compito di garantire il '
        "coordinamento centrale delle azioni previste nell'ambito del progetto BO3.3.1b, di "
        'facilitarne lo sviluppo e la sostenibilità nel contesto locale, di monitorarne '
        'l’impatto e di valorizzarne le pratiche e le opportunità di integrazione; dovrà '
        'altresì animare la rete metropolitana di scuole, Pubbliche Amministrazioni, imprese '
        "private, Università, centri di ricerca, terzo settore coinvolti nell'ambito del Pon "
        "Metro. Come azione propedeutica all'avvio della tecnostruttura, è previsto uno "
        'Studio preliminare volto a supportare, tra le altre cose, una più puntuale '
        'definizione delle aree bersaglio a forte disagio abitativo e sociale; '
        "l'identificazione dei bisogni e delle opportunità delle medesime aree; "
        "l'individuazione delle modalità per la progettazione e la prima ipotesi di "
        'costruzione della rete territoriale di riferimento; la progettazione di un servizio '
        'di supporto tecnico/organizzativo per la realizzazione del progetto.'
    ),
    '3) Promozione',
    (
        'Servizi di comunicazione, animazione anche tramite social network e realizzazione di'
        ' eventi pubblici volti a promuovere sul territorio quanto realizzato dal progetto e '
        'a sostenere la partecipazione ai percorsi di sviluppo di comunità da parte di tutta '
        'la cittadinanza.'
    ),
    '• Sostenibilità economica e gestionale e governance del progetto',
    (
        'acquisita grazie a progetti analoghi già sperimentati nel territorio e negli '
        'istituti, che hanno avuto impatti positivi e sono stati economicamente sostenibili '
        'ed efficaci. A livello istituzionale sono coinvolti uffici sia del Comune di Bologna'
        ' che della Città metropolitana, i quali coordineranno uno staff tecnico di cui '
        'faranno parte anche gli enti locali del territorio metropolitano, garantendo così la'
        ' governance a livello sovra comunale. Per garantire il pilotaggio strategico '
        'interistituzionale del progetto, verrà attivato dal Comune di Bologna e dalla Città '
        'Metropolitana di Bologna un Board che curerà il raccordo con le istituzioni e gli '
        'enti pubblici (CCIAA, Università, Regione,...) e i soggetti privati (parti sociali, '
        'imprese, Terzo Settore, ….) già coinvolti nella progettazione discendente dal Piano '
        'Strategico Metropolitano, estendendolo ad ulteriori soggetti del territorio '
        'interessati; promuoverà inoltre il modello di intervento presso altre Città '
        'Metropolitane e curerà il raccordo con altri programmi e iniziative locali e '
        'nazionali. Per la realizzazione del progetto saranno utilizzate in maniera integrata'
        " le risorse del PON Metro e risorse pubbliche e private dell'area metropolitana, "
        'messe a disposizione dagli enti locali, dalle imprese, da privati e dal terzo '
        'settore per progettazioni che possono agire in integrazione con il progetto (ad '
        "esempio risorse per l'inclusione sociale, culturale, educativa dei comuni e delle "
        'unioni, risorse delle imprese e delle associazioni imprenditoriali per progetti con '
        'le scuole e con la comunità, risorse regionali e nazionali, risorse delle '
        'Fondazioni, …..). Si intende in tal modo creare sinergie positive sul territorio per'
        ' sviluppare la cultura del benessere socio economico della comunità quale elemento '
        'di crescita e di attrattività.'
    ),
)
BO331B = {
    "code": "BO3.3.1.b",
    "title": "Accelerazione civica e collaborazione civica tra PA, scuola e imprese - Azioni di supporto",
    "action_code": "3.3.1",
    "axis_number": 3,
    "implementing_body": "Comune di Bologna",
    "cup": "F39G16000350007",
    "rup": "Miriam Pepe",
    "start_date": (2016, 11, 1),
    "end_date": (2021, 3, 30),
    "programmato_cents": 412_248_84,
    "ammesso_cents": 412_248_84,
    "vincolante_cents": 412_248_84,
    "erogato_cents": 412_248_83,
    "summary": (
        "Si sviluppano alcune azioni di supporto allo sviluppo del progetto BO3.3.1c e più in generale "
        "alla realizzazione delle finalità generali delle azioni di innovazione sociale."
    ),
    "description": "\n".join(BO331B_PARAGRAPHS),
}
