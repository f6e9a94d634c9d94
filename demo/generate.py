#!/usr/bin/env python3
"""Writes the demo data set: demo/prisons.json and demo/prisoners.json.

Deterministic: a fixed seed, the standard library only, and no iteration over sets or other
unordered collections, so running it again reproduces both files byte for byte:

    python3 demo/generate.py

Every person is made up. Ages are worked out as at TODAY, the date the domain tests use as "now".
The format is the serde types in crates/domain/src/dataset.rs (PrisonFile, PrisonerFile).
"""

import datetime
import json
import random
import unicodedata
from pathlib import Path

SEED = 20261125
TODAY = datetime.date(2026, 11, 25)
HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------------
# Prisons and timetables
# --------------------------------------------------------------------------------------------

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def template(tid, weekday, start, end, room, open_capacity, closed_capacity,
             valid_from="2026-01-01", valid_to=None, frequency="weekly"):
    return {
        "id": tid,
        "weekday": weekday,
        "start": start + ":00",
        "end": end + ":00",
        "room": room,
        "open_capacity": open_capacity,
        "closed_capacity": closed_capacity,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "frequency": frequency,
    }


def closure(date, reason, template_id=None):
    return {"date": date, "template_id": template_id, "reason": reason}


def bank_holidays():
    return [
        closure("2026-12-25", "Christmas Day"),
        closure("2026-12-26", "Boxing Day"),
        closure("2027-01-01", "New Year's Day"),
    ]


def prison(code, name, name_cy, address, address_cy, *, min_notice_days=2, max_notice_days=28,
           max_visitors=6, max_adults=3, max_children=4, adult_age=18, has_contact_list=True,
           remand_weekly_limit=3, arrive_minutes_before=45, templates, closures):
    return {
        "code": code,
        "name": name,
        "name_cy": name_cy,
        "address": address,
        "address_cy": address_cy,
        "timezone": "Europe/London",
        "min_notice_days": min_notice_days,
        "max_notice_days": max_notice_days,
        "max_visitors": max_visitors,
        "max_adults": max_adults,
        "max_children": max_children,
        "adult_age": adult_age,
        "has_contact_list": has_contact_list,
        "remand_weekly_limit": remand_weekly_limit,
        "arrive_minutes_before": arrive_minutes_before,
        "templates": templates,
        "closures": closures,
    }


HALL = "Visits hall"
FAMILY = "Family room"

PRISONS = [
    # Wales: bilingual names and address; a timetable change in 2027 (a new Monday morning
    # from 4 January, the Thursday afternoon moving half an hour later from April).
    prison(
        "CDF", "HMP Cardiff", "CEF Caerdydd",
        ["Knox Road", "Cardiff", "CF24 0UG"],
        ["Heol Knox", "Caerdydd", "CF24 0UG"],
        max_children=4, arrive_minutes_before=45,
        templates=[
            template("CDF-MON-AM", "monday", "09:30", "11:30", HALL, 16, 2, valid_from="2027-01-04"),
            template("CDF-TUE-PM", "tuesday", "14:00", "16:00", HALL, 24, 3),
            template("CDF-WED-AM", "wednesday", "09:30", "11:30", HALL, 16, 2),
            template("CDF-THU-PM", "thursday", "14:00", "16:00", HALL, 24, 3, valid_to="2027-03-31"),
            template("CDF-THU-PM-APR27", "thursday", "14:30", "16:30", HALL, 24, 3, valid_from="2027-04-01"),
            template("CDF-FRI-EVE", "friday", "18:00", "20:00", FAMILY, 10, 0, frequency="fortnightly"),
            template("CDF-SAT-AM", "saturday", "09:30", "11:30", HALL, 20, 2),
            template("CDF-SAT-PM", "saturday", "14:00", "16:00", HALL, 28, 4),
        ],
        closures=[
            closure("2026-12-08", "Staff training", "CDF-TUE-PM"),
            *bank_holidays(),
            closure("2027-02-03", "Visits hall maintenance", "CDF-WED-AM"),
        ],
    ),
    # England, large local prison. Holds the fixed records C3456DE and D4567EF.
    prison(
        "LDS", "HMP Leeds", "CEF Leeds",
        ["2 Gloucester Terrace", "Armley", "Leeds", "LS12 2TJ"],
        ["2 Gloucester Terrace", "Armley", "Leeds", "LS12 2TJ"],
        max_children=5, arrive_minutes_before=45,
        templates=[
            template("LDS-MON-PM", "monday", "14:00", "16:00", HALL, 30, 4),
            template("LDS-WED-PM", "wednesday", "14:00", "16:00", HALL, 30, 4),
            template("LDS-THU-EVE", "thursday", "17:45", "19:45", FAMILY, 12, 0, frequency="fortnightly"),
            template("LDS-FRI-AM", "friday", "09:30", "11:30", HALL, 20, 2),
            template("LDS-SAT-AM", "saturday", "09:30", "11:30", HALL, 26, 3),
            template("LDS-SAT-PM", "saturday", "14:00", "16:00", HALL, 30, 4),
            template("LDS-SUN-PM", "sunday", "14:00", "16:00", HALL, 24, 0),
        ],
        closures=[
            closure("2026-12-16", "Staff training", "LDS-WED-PM"),
            *bank_holidays(),
            closure("2027-02-05", "Whole-prison search"),
        ],
    ),
    # England, large local prison; one day's notice is enough, a new Monday session from January.
    prison(
        "BMI", "HMP Birmingham", "CEF Birmingham",
        ["Winson Green Road", "Birmingham", "B18 4AS"],
        ["Winson Green Road", "Birmingham", "B18 4AS"],
        min_notice_days=1, max_children=5, arrive_minutes_before=30,
        templates=[
            template("BMI-MON-PM", "monday", "14:00", "16:00", HALL, 20, 2, valid_from="2027-01-04"),
            template("BMI-TUE-AM", "tuesday", "09:30", "11:30", HALL, 18, 2),
            template("BMI-TUE-PM", "tuesday", "14:00", "16:00", HALL, 26, 3),
            template("BMI-THU-PM", "thursday", "14:00", "16:00", HALL, 26, 3),
            template("BMI-FRI-PM", "friday", "14:00", "16:00", HALL, 22, 2),
            template("BMI-SAT-PM", "saturday", "14:00", "16:00", HALL, 28, 4),
            template("BMI-SUN-AM", "sunday", "09:30", "11:30", HALL, 20, 1),
        ],
        closures=[
            closure("2026-12-15", "Staff training", "BMI-TUE-PM"),
            *bank_holidays(),
            closure("2027-02-09", "Fire alarm testing", "BMI-TUE-AM"),
        ],
    ),
    # England, women's prison: small parties, children 12 and over count as adults for seating,
    # no approved contact list (anyone may visit, bans still apply), mostly fortnightly sessions;
    # the two Saturday templates alternate weeks.
    prison(
        "STY", "HMP Styal", "CEF Styal",
        ["Styal Road", "Wilmslow", "Cheshire", "SK9 4HR"],
        ["Styal Road", "Wilmslow", "Swydd Gaer", "SK9 4HR"],
        max_visitors=4, max_adults=2, max_children=3, adult_age=12, has_contact_list=False,
        arrive_minutes_before=40,
        templates=[
            template("STY-TUE-PM", "tuesday", "14:00", "16:00", HALL, 14, 2),
            template("STY-WED-PM", "wednesday", "14:00", "16:00", HALL, 14, 1, frequency="fortnightly"),
            template("STY-FRI-EVE", "friday", "17:30", "19:30", FAMILY, 10, 0, frequency="fortnightly"),
            template("STY-SAT-PM", "saturday", "14:00", "16:00", HALL, 16, 2, frequency="fortnightly"),
            template("STY-SAT-AM", "saturday", "09:30", "11:30", HALL, 16, 2, valid_from="2026-01-08",
                     frequency="fortnightly"),
            template("STY-SUN-AM", "sunday", "09:30", "11:30", HALL, 12, 1),
        ],
        closures=[
            closure("2026-12-15", "Staff training", "STY-TUE-PM"),
            *bank_holidays(),
            closure("2027-02-07", "Family day preparation", "STY-SUN-AM"),
        ],
    ),
]

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------
# Each background has first names by sex and surnames. A surname is a string or a
# (masculine, feminine) pair. First names are split by generation: people born before 1975 get
# an "old" name, from 1990 a newer one, in between either.

BACKGROUNDS = {
    "welsh": {
        "m": ["Rhys", "Dafydd", "Llŷr", "Ioan", "Gethin", "Emyr", "Huw", "Aled", "Iwan", "Owain",
              "Geraint", "Gwion", "Cai", "Tomos", "Osian", "Macsen", "Gruffudd", "Rhodri", "Siôn",
              "Dewi", "Carwyn", "Elis", "Idris", "Tudur", "Steffan", "Trystan", "Ifan", "Deiniol",
              "Jac", "Guto", "Morgan", "Rhun"],
        "m_old": ["Gareth", "Hywel", "Gwilym", "Alun", "Meirion", "Bryn", "Emlyn", "Glyn", "Dai",
                  "Islwyn", "Eurig", "Elwyn", "Gwynfor", "Berwyn"],
        "f": ["Siân", "Gwenllian", "Ffion", "Cerys", "Nia", "Angharad", "Catrin", "Elin", "Eleri",
              "Lowri", "Mali", "Megan", "Bethan", "Carys", "Seren", "Alaw", "Manon", "Rhiannon",
              "Heledd", "Gwen", "Sioned", "Nerys", "Ceri", "Enfys", "Awen", "Efa", "Lili", "Tesni",
              "Betsan", "Cadi", "Elan", "Gwenno"],
        "f_old": ["Mair", "Eirlys", "Llinos", "Mererid", "Eluned", "Non", "Glenys", "Myfanwy",
                  "Gwyneth", "Olwen", "Dilys", "Menna", "Nesta"],
        "surnames": ["Evans", "Jones", "Williams", "Davies", "Thomas", "Roberts", "Hughes", "Lewis",
                     "Morgan", "Griffiths", "Price", "Pritchard", "Powell", "Prosser", "Bevan",
                     "Parry", "Pugh", "Rees", "Jenkins", "Llewellyn", "ap Dafydd", "Owen",
                     "Vaughan", "Lloyd", "Howells", "Phillips", "Hopkins", "Watkins", "Meredith",
                     "Gwynne", "Rowlands", "ab Iorwerth", "Tudur", "Bowen", "Gruffydd",
                     "Protheroe"],
    },
    "english": {
        "m": ["James", "Oliver", "Jack", "Harry", "Thomas", "Daniel", "Connor", "Liam", "Ryan",
              "Kyle", "Jordan", "Jamie", "Reece", "Kai", "Jayden", "Brandon", "Mason", "Ethan",
              "Alfie", "Charlie", "Noah", "Leo", "Callum", "Lewis", "Joshua", "Nathan", "Bradley",
              "Tyler", "Luke", "Aaron", "Jake", "Ashley", "Dominic", "Freddie", "George", "Archie"],
        "m_old": ["Darren", "Wayne", "Lee", "Craig", "Dean", "Mark", "Paul", "Stephen", "Gary",
                  "Kevin", "Shaun", "Keith", "Trevor", "Barry", "Colin", "Graham", "Derek", "Terry",
                  "Nigel", "Malcolm", "Roy", "Brian", "Raymond", "Alan"],
        "f": ["Sarah", "Emma", "Charlotte", "Sophie", "Jessica", "Lauren", "Chelsea", "Kayleigh",
              "Stacey", "Jade", "Leanne", "Zoë", "Chloë", "Lucy", "Hannah", "Olivia", "Amelia",
              "Isla", "Freya", "Poppy", "Ellie", "Mia", "Ruby", "Evie", "Amy", "Gemma", "Danielle",
              "Rebecca", "Holly", "Megan", "Renée", "Naomi", "Bethany", "Courtney", "Grace",
              "Lily-Mae", "Ava", "Rosie"],
        "f_old": ["Michelle", "Karen", "Tracey", "Julie", "Susan", "Margaret", "Pauline", "Brenda",
                  "Jean", "Linda", "Christine", "Sandra", "Janet", "Carol", "Dawn", "Lorraine",
                  "Maureen", "Joan", "Patricia", "Wendy", "Gillian"],
        "surnames": ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Walker", "Wright", "Robinson",
                     "Thompson", "Clarke", "Hall", "Green", "Wood", "Harrison", "Smith-Jones",
                     "Hartley-Brown", "Ashworth", "Sutcliffe", "Barraclough", "Holroyd", "Ackroyd",
                     "Booth", "Pickles", "Rowley", "Cartwright", "Bishop", "Hodgkins", "Mitchell",
                     "Atkinson", "Baxter", "Kershaw", "Whitaker", "Jackson", "White", "Turner",
                     "Hill", "Cooper", "Ward", "Moore", "Shaw", "Lister", "Parkinson-Hale",
                     "Fairbrother", "Nuttall"],
    },
    "irish": {
        "m": ["Seán", "Ciarán", "Pádraig", "Eoin", "Declan", "Conor", "Niall", "Cathal", "Darragh",
              "Oisín", "Rory", "Ronan", "Cillian", "Killian", "Tadhg", "Dónal"],
        "m_old": ["Patrick", "Michael", "Brendan", "Gerard", "Francis", "Dermot", "Eamonn"],
        "f": ["Siobhán", "Aoife", "Niamh", "Róisín", "Caoimhe", "Órla", "Bríd", "Clodagh", "Saoirse",
              "Ciara", "Sinéad", "Aisling", "Méabh", "Áine"],
        "f_old": ["Bridget", "Mary", "Kathleen", "Nora", "Maureen", "Eileen", "Philomena"],
        "surnames": ["O'Connor", "O'Brien", "O'Neill", "Murphy", "McCarthy", "Byrne", "Doyle",
                     "O'Sullivan", "Kelly", "Gallagher", "Quinn", ("Ó Súilleabháin", "Ní Shúilleabháin"),
                     "McGuinness", "Fitzgerald", "O'Donoghue", "Kavanagh", ("Ó Briain", "Ní Bhriain")],
    },
    "scottish": {
        "m": ["Hamish", "Ewan", "Callum", "Fraser", "Angus", "Ruaridh", "Struan", "Lachlan",
              "Finlay", "Euan", "Calum"],
        "m_old": ["Alasdair", "Iain", "Douglas", "Murdo", "Kenneth"],
        "f": ["Eilidh", "Isla", "Kirsty", "Morag", "Mhairi", "Catriona", "Skye", "Ailsa", "Iona"],
        "f_old": ["Agnes", "Elspeth", "Fiona", "Morven", "Isobel"],
        "surnames": ["MacDonald", "McKenzie", "Fraser", "Sutherland", "Campbell", "Stewart",
                     "MacLeod", "Robertson", "Henderson", "McIntyre", "Mackay"],
    },
    "pakistani_bangladeshi": {
        "m": ["Mohammed", "Muhammad", "Imran", "Bilal", "Tariq", "Zain", "Yusuf", "Adil", "Faisal",
              "Usman", "Hamza", "Ibrahim", "Ayaan", "Zubair", "Shahid", "Rizwan", "Abdul", "Sajid",
              "Mizanur", "Rahim"],
        "m_old": ["Mohammed", "Abdul", "Bashir", "Nazir", "Rafiq", "Akbar", "Shafiq"],
        "f": ["Fatima", "Aisha", "Ayesha", "Yasmin", "Nadia", "Amina", "Sana", "Zara", "Maryam",
              "Hafsa", "Sumaiya", "Nusrat", "Tasnim", "Iqra", "Hira", "Safiya"],
        "f_old": ["Nasreen", "Parveen", "Shabana", "Razia", "Rukhsana", "Jahanara"],
        "surnames": ["Hussain", "Khan", "Ahmed", "Ali", "Akhtar", "Mahmood", "Iqbal", "Rashid",
                     "Shah", "Miah", "Uddin", "Rahman", "Chowdhury", "Bashir", "Malik", "Qureshi"],
    },
    "indian": {
        "m": ["Arjun", "Rajesh", "Sandeep", "Harjit", "Gurpreet", "Vikram", "Ravi", "Jaspreet",
              "Amandeep", "Rohan", "Nikhil", "Karan", "Hardeep", "Manjit", "Dev", "Sunil"],
        "m_old": ["Balwinder", "Kuldip", "Mohan", "Suresh", "Ramesh", "Jagdish"],
        "f": ["Priya", "Simran", "Harpreet", "Amrit", "Anjali", "Kiran", "Deepa", "Navneet",
              "Meera", "Pooja", "Jasleen", "Anika", "Riya", "Tanvi"],
        "f_old": ["Surinder", "Kamaljit", "Sushila", "Kanta", "Parminder", "Rajinder"],
        "surnames": ["Patel", "Sandhu", "Gill", "Dhillon", "Sharma", "Mistry", "Bains", "Chauhan",
                     "Kumar", "Johal", "Sidhu", "Lad", "Parmar", "Solanki"],
    },
    "caribbean": {
        "m": ["Marcus", "Tyrone", "Leon", "Jermaine", "Andre", "Dwayne", "Kemar", "Jerome",
              "Tyrese", "Kaden", "Jaheim", "Aaron", "Isaiah", "Nathaniel", "Jordan", "Reuben"],
        "m_old": ["Delroy", "Winston", "Errol", "Clive", "Lloyd", "Neville", "Carlton", "Desmond"],
        "f": ["Shanice", "Keisha", "Jasmine", "Tanisha", "Simone", "Chantelle", "Aaliyah", "Nia",
              "Tia", "Jade", "Kelis", "Amara", "Sade", "Imani"],
        "f_old": ["Marcia", "Beverley", "Hyacinth", "Pearl", "Claudette", "Gloria", "Merle",
                  "Yvonne"],
        "surnames": ["Campbell", "Francis", "Grant", "Brown", "Thomas", "Clarke-Williams", "Henry",
                     "Morris", "Samuels", "Reid", "Bailey", "McKenzie", "Powell", "Gordon",
                     "Johnson", "Richards", "Hylton", "Forbes"],
    },
    "west_african": {
        "m": ["Kwame", "Kofi", "Chinedu", "Oluwaseun", "Emeka", "Tunde", "Yaw", "Femi", "Kwabena",
              "Chukwuemeka", "Obinna", "Ayodele", "Kojo", "Daniel", "Samuel", "Emmanuel", "David",
              "Ebenezer"],
        "m_old": ["Kwasi", "Adewale", "Olusegun", "Nnamdi", "Kwaku"],
        "f": ["Abena", "Ama", "Chioma", "Ngozi", "Folake", "Adaeze", "Efua", "Precious", "Blessing",
              "Adwoa", "Yetunde", "Funmilayo", "Esi", "Grace", "Favour", "Temitope"],
        "f_old": ["Comfort", "Akosua", "Florence", "Victoria", "Abimbola"],
        "surnames": ["Mensah", "Owusu", "Boateng", "Okafor", "Adeyemi", "Okonkwo", "Asante",
                     "Adebayo", "Oyelaran", "Osei", "Appiah", "Nwosu", "Eze", "Acheampong",
                     "Ogunleye", "Agyeman-Duah"],
    },
    "somali": {
        "m": ["Abdi", "Abdirahman", "Mohamed", "Hassan", "Omar", "Ahmed", "Abdullahi", "Yusuf",
              "Mahad", "Liban", "Guled", "Said", "Ismail"],
        "m_old": ["Abdikarim", "Ali", "Osman", "Hussein"],
        "f": ["Hodan", "Fadumo", "Ayan", "Sahra", "Hibo", "Ifrah", "Hamdi", "Khadija", "Nimco",
              "Ubah", "Ladan", "Sagal"],
        "f_old": ["Halima", "Asha", "Maryan", "Faadumo"],
        "surnames": ["Hassan", "Mohamed", "Warsame", "Farah", "Jama", "Osman", "Ali", "Abdi",
                     "Nur", "Egal", "Aden", "Hirsi"],
    },
    "polish": {
        "m": ["Tomasz", "Piotr", "Mateusz", "Łukasz", "Marek", "Krzysztof", "Paweł", "Jakub",
              "Kamil", "Bartosz", "Michał", "Wojciech", "Szymon"],
        "m_old": ["Stanisław", "Zbigniew", "Janusz", "Andrzej", "Józef"],
        "f": ["Magdalena", "Agnieszka", "Zofia", "Małgorzata", "Kasia", "Alicja", "Natalia",
              "Weronika", "Oliwia", "Justyna", "Joanna", "Anna"],
        "f_old": ["Halina", "Krystyna", "Danuta", "Elżbieta", "Grażyna", "Bożena"],
        "surnames": [("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), "Nowak", "Wójcik",
                     ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"), "Kaczmarek",
                     ("Kamiński", "Kamińska"), "Mazur", "Krawczyk", ("Dąbrowski", "Dąbrowska")],
    },
    "romanian": {
        "m": ["Andrei", "Florin", "Mihai", "Ștefan", "Darius", "Marius", "Cristian", "Alexandru",
              "Ionuț", "Bogdan", "Răzvan"],
        "m_old": ["Gheorghe", "Ion", "Vasile", "Constantin", "Nicolae"],
        "f": ["Ioana", "Elena", "Roxana", "Andreea", "Bianca", "Alina", "Denisa", "Ștefania",
              "Mădălina"],
        "f_old": ["Ileana", "Maria", "Viorica", "Florica", "Rodica"],
        "surnames": ["Popescu", "Ionescu", "Dumitru", "Constantin", "Stan", "Munteanu", "Rusu",
                     "Lungu", "Moldovan", "Stoica", "Țurcanu"],
    },
    "iberian": {
        "m": ["José", "Luis", "João", "Miguel", "Rui", "Tiago", "Diego", "Andrés", "Sérgio",
              "Javier", "Pedro", "Gonçalo"],
        "m_old": ["Manuel", "António", "Francisco", "Joaquim"],
        "f": ["Ana", "María", "Inês", "Beatriz", "Lucía", "Mariana", "Sofía", "Leonor", "Carla",
              "Marta"],
        "f_old": ["Conceição", "Fátima", "Rosário", "Dolores", "Amparo"],
        "surnames": ["Silva", "Santos", "Ferreira", "Fernandes", "Da Costa", "Rodríguez", "García",
                     "Pereira", "Gonçalves", "Martínez", "De Sousa", "D'Souza", "Nunes"],
    },
    "east_asian": {
        "m": ["Wei", "Jun", "Hao", "Minh", "Tuan", "Kevin", "Jason", "Long", "Jian", "Duc",
              "Ryan", "Bao"],
        "m_old": ["Kwok", "Hung", "Thanh", "Ming"],
        "f": ["Mei", "Xin", "Li Na", "Lan", "Thu", "Jessica", "Linh", "Hoa", "Yan", "Mai",
              "Emily", "Anh"],
        "f_old": ["Yuk", "Siu", "Hong", "Huong"],
        "surnames": ["Chen", "Wong", "Li", "Nguyen", "Tran", "Lam", "Cheung", "Pham", "Zhang",
                     "Liu", "Le", "Chan"],
    },
}

# Who is held where: background weights for each prison's prisoners, and the prison's sex.
POPULATION = {
    "CDF": ("m", {"welsh": 62, "english": 12, "somali": 6, "pakistani_bangladeshi": 5,
                  "caribbean": 4, "irish": 3, "polish": 2, "romanian": 2, "west_african": 2,
                  "iberian": 1, "east_asian": 1}),
    "LDS": ("m", {"english": 44, "pakistani_bangladeshi": 15, "caribbean": 8, "irish": 6,
                  "polish": 5, "romanian": 2, "scottish": 3, "west_african": 5, "indian": 5,
                  "east_asian": 2, "iberian": 2, "welsh": 2, "somali": 1}),
    "BMI": ("m", {"english": 34, "pakistani_bangladeshi": 18, "indian": 10, "caribbean": 14,
                  "west_african": 6, "irish": 6, "somali": 3, "polish": 2, "romanian": 2, "iberian": 2,
                  "east_asian": 2, "scottish": 1}),
    "STY": ("f", {"english": 50, "irish": 8, "caribbean": 8, "pakistani_bangladeshi": 4,
                  "indian": 4, "polish": 4, "romanian": 2, "west_african": 6, "scottish": 4,
                  "welsh": 4, "iberian": 3, "east_asian": 3}),
}

# Generated prisoners per prison, on top of the fixed ones.
GENERATED = {"CDF": 88, "LDS": 88, "BMI": 80, "STY": 40}

# --------------------------------------------------------------------------------------------
# Fixed records the tests rely on: always first, always exactly these.
# --------------------------------------------------------------------------------------------


def contact(cid, first, last, dob, banned_until=None):
    return {"id": cid, "first_name": first, "last_name": last, "date_of_birth": dob,
            "banned_until": banned_until}


def prisoner(number, prison_code, first, last, dob, custody, visiting_orders, restrictions, contacts):
    return {
        "number": number,
        "prison": prison_code,
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "custody": custody,
        "visiting_orders": visiting_orders,
        "closed_visit_restrictions": restrictions,
        "contacts": contacts,
    }


FIXED = [
    prisoner("A1234BC", "CDF", "Rhys", "Evans", "1990-05-05", "convicted", 4, [], [
        contact("C000001", "Siân", "Evans", "1992-03-14"),
        contact("C000002", "Megan", "Evans", "2015-08-20"),
        contact("C000003", "Gareth", "Evans", "1965-11-02"),
        contact("C000004", "Dylan", "Evans", "1994-07-07", "2027-06-30"),
    ]),
    prisoner("B2345CD", "CDF", "Llŷr", "ap Gruffudd", "1985-01-31", "remand", 0, [], [
        contact("C000005", "Ffion", "ap Gruffudd", "1987-09-09"),
        contact("C000006", "Ioan", "ap Gruffudd", "2012-04-01"),
    ]),
    prisoner("C3456DE", "LDS", "Daniel", "O'Connor", "1979-12-12", "convicted", 0, [], [
        contact("C000007", "Maria", "O'Connor", "1981-02-02"),
    ]),
    prisoner("D4567EF", "LDS", "Kwame", "Mensah", "1995-06-15", "convicted", 3,
             [{"from": "2026-01-01", "until": None}], [
        contact("C000008", "Abena", "Mensah", "1997-03-03"),
    ]),
]

# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------

PAST_BANS = ["2026-03-31", "2026-06-30", "2026-06-30", "2026-09-30", "2026-11-01"]
FUTURE_BANS = ["2026-12-10", "2026-12-31", "2027-01-15", "2027-01-15", "2027-03-31",
               "2027-06-30", "2027-11-30"]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.next_contact = len([c for p in FIXED for c in p["contacts"]]) + 1
        self.numbers = {p["number"]: True for p in FIXED}
        # (first, last, date of birth) of every contact, so that no two records describe the
        # same person with different details (bans are looked up by name and birth date).
        self.people = {}
        for p in FIXED:
            for c in p["contacts"]:
                self.people[(c["first_name"], c["last_name"], c["date_of_birth"])] = True

    # --- small helpers --------------------------------------------------------------------

    def weighted(self, weights):
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def dob_for_age(self, age):
        """A random date of birth for someone exactly `age` years old on TODAY."""
        latest = TODAY.replace(year=TODAY.year - age)
        earliest = TODAY.replace(year=TODAY.year - age - 1) + datetime.timedelta(days=1)
        if age == 0:
            latest = TODAY - datetime.timedelta(days=30)
        span = (latest - earliest).days
        return earliest + datetime.timedelta(days=self.rng.randrange(span + 1))

    def first_name(self, background, sex, dob, avoid):
        pool = BACKGROUNDS[background]
        if dob.year < 1975:
            names = pool[sex + "_old"]
        elif dob.year < 1990:
            names = pool[sex + "_old"] + pool[sex]
        else:
            names = pool[sex]
        for _ in range(50):
            name = self.rng.choice(names)
            if name not in avoid:
                return name
        return name

    def surname(self, background):
        return self.rng.choice(BACKGROUNDS[background]["surnames"])

    @staticmethod
    def surname_for(surname, sex):
        if isinstance(surname, tuple):
            return surname[0] if sex == "m" else surname[1]
        return surname

    def prisoner_number(self):
        while True:
            letter = self.weighted({"A": 55, "G": 35, "B": 4, "H": 3, "K": 3})
            digits = "%04d" % self.rng.randrange(10000)
            tail = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
            number = letter + digits + tail
            if number not in self.numbers:
                self.numbers[number] = True
                return number

    def contact_id(self):
        cid = "C%06d" % self.next_contact
        self.next_contact += 1
        return cid

    # --- people ---------------------------------------------------------------------------

    def prisoner_age(self):
        band = self.weighted({(18, 24): 22, (25, 34): 34, (35, 44): 24, (45, 59): 15, (60, 75): 5})
        return self.rng.randint(*band)

    def family(self, background, sex, age, surname):
        """Relatives as (relationship, background, sex, age, surname) in priority order."""
        rng = self.rng
        members = []
        other = "f" if sex == "m" else "m"
        partner_bg = background if rng.random() < 0.8 else self.weighted(
            {"english": 50, "welsh": 10, "irish": 8, "caribbean": 10, "polish": 4, "romanian": 2,
             "pakistani_bangladeshi": 6, "west_african": 5, "indian": 5})
        has_partner = age >= 19 and rng.random() < 0.6
        partner_age = None
        if has_partner:
            partner_sex = other if rng.random() < 0.93 else sex
            partner_age = max(18, min(85, age + rng.randint(-6, 6)))
            married = rng.random() < 0.45
            partner_surname = surname if married else self.surname(partner_bg)
            members.append(("partner", partner_bg, partner_sex, partner_age, partner_surname))
        # Children, from toddlers to grown-ups.
        parent_ages = [age] + ([partner_age] if partner_age else [])
        max_child_age = min(parent_ages) - 17
        if max_child_age >= 0 and rng.random() < 0.65:
            for _ in range(self.weighted({1: 40, 2: 35, 3: 18, 4: 7})):
                child_age = rng.randint(0, min(max_child_age, 40))
                child_bg = background if rng.random() < 0.6 else partner_bg
                child_surname = surname if (not has_partner or rng.random() < 0.7) else (
                    members[0][4])
                members.append(("child", child_bg, rng.choice("mf"), child_age, child_surname))
        # Parents, while plausibly alive.
        mother_age = age + rng.randint(18, 38)
        if mother_age <= 90 and rng.random() < 0.75:
            members.append(("mother", background, "f", mother_age, surname))
        father_age = age + rng.randint(20, 42)
        if father_age <= 90 and rng.random() < 0.45:
            members.append(("father", background, "m", father_age, surname))
        for _ in range(self.weighted({0: 30, 1: 40, 2: 20, 3: 10})):
            sibling_age = max(0, age + rng.randint(-10, 10))
            members.append(("sibling", background, rng.choice("mf"), sibling_age, surname))
        if age < 30 and rng.random() < 0.25:
            gran_age = age + rng.randint(42, 62)
            if gran_age <= 90:
                members.append(("grandparent", background, rng.choice("mf"), gran_age, surname))
        return members

    def friend(self):
        bg = self.weighted({"english": 50, "welsh": 10, "irish": 8, "caribbean": 10,
                            "pakistani_bangladeshi": 8, "polish": 4, "romanian": 2, "west_african": 5,
                            "indian": 3})
        return ("friend", bg, self.rng.choice("mf"), self.rng.randint(19, 70), self.surname(bg))

    def contacts_for(self, background, sex, age, surname, own_first):
        rng = self.rng
        wanted = self.weighted({2: 20, 3: 25, 4: 22, 5: 15, 6: 10, 7: 8})
        members = self.family(background, sex, age, surname)
        while len(members) < wanted:
            members.append(self.friend())
        # Keep the closest family, but make sure the list starts with an adult who can lead.
        members = members[:wanted]
        if not any(m[3] >= 18 for m in members):
            members[-1] = self.friend()
        adult_first = [m for m in members if m[3] >= 18][:1]
        members = adult_first + [m for m in members if m is not adult_first[0]]

        contacts = []
        used_first = [own_first]
        for relationship, bg, s, a, sur in members:
            for _ in range(20):
                dob = self.dob_for_age(a)
                first = self.first_name(bg, s, dob, used_first)
                last = self.surname_for(sur, s)
                key = (first, last, dob.isoformat())
                if key not in self.people:
                    break
            self.people[key] = True
            used_first.append(first)
            banned = None
            # About 5% of all contacts are banned: only adults, never the first one listed.
            if contacts and a >= 18 and rng.random() < 0.1:
                banned = rng.choice(PAST_BANS if rng.random() < 0.45 else FUTURE_BANS)
            contacts.append(contact(self.contact_id(), first, last, dob.isoformat(), banned))
        return contacts

    def restrictions(self):
        rng = self.rng
        if rng.random() >= 0.11:
            return []
        kind = self.weighted({"ended": 3, "current": 3, "open": 3, "starting": 1, "repeat": 1})

        def day(start, end):
            a, b = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
            return (a + datetime.timedelta(days=rng.randrange((b - a).days + 1))).isoformat()

        if kind == "ended":
            return [{"from": day("2026-01-05", "2026-04-30"), "until": day("2026-06-01", "2026-10-31")}]
        if kind == "current":
            return [{"from": day("2026-08-01", "2026-11-20"), "until": day("2027-01-10", "2027-05-31")}]
        if kind == "open":
            return [{"from": day("2026-01-01", "2026-11-01"), "until": None}]
        if kind == "starting":
            # Begins inside the booking window as at TODAY.
            return [{"from": day("2026-12-07", "2026-12-18"), "until": day("2027-02-01", "2027-03-31")}]
        return [
            {"from": day("2026-01-05", "2026-03-31"), "until": day("2026-05-01", "2026-07-31")},
            {"from": day("2026-10-01", "2026-11-15"), "until": day("2027-01-31", "2027-04-30")},
        ]

    def prisoner(self, code, custody):
        sex, weights = POPULATION[code]
        background = self.weighted(weights)
        age = self.prisoner_age()
        dob = self.dob_for_age(age)
        surname_choice = self.surname(background)
        first = self.first_name(background, sex, dob, [])
        last = self.surname_for(surname_choice, sex)
        if custody == "remand":
            vos = 0
        else:
            vos = self.weighted({0: 5, 1: 10, 2: 18, 3: 22, 4: 20, 5: 13, 6: 12})
        restrictions = self.restrictions()
        contacts = self.contacts_for(background, sex, age, surname_choice, first)
        return prisoner(self.prisoner_number(), code, first, last, dob.isoformat(), custody, vos,
                        restrictions, contacts)

    def prisoners(self):
        out = list(FIXED)
        plan = []
        for code, count in GENERATED.items():
            remand = round(count * 0.3)
            plan += [(code, "remand")] * remand + [(code, "convicted")] * (count - remand)
        self.rng.shuffle(plan)
        for code, custody in plan:
            out.append(self.prisoner(code, custody))
        return out


# --------------------------------------------------------------------------------------------
# Self-checks (the Rust test in crates/domain/tests/demo_data.rs checks the format itself)
# --------------------------------------------------------------------------------------------


def runs_on(t, date):
    if WEEKDAYS[date.weekday()] != t["weekday"]:
        return False
    valid_from = datetime.date.fromisoformat(t["valid_from"])
    if date < valid_from:
        return False
    if t["valid_to"] and date > datetime.date.fromisoformat(t["valid_to"]):
        return False
    if t["frequency"] == "weekly":
        return True
    offset = (WEEKDAYS.index(t["weekday"]) - valid_from.weekday()) % 7
    return (date - (valid_from + datetime.timedelta(days=offset))).days % 14 == 0


def age_on(dob, day):
    dob = datetime.date.fromisoformat(dob)
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def check_name(name):
    assert name == name.strip() and 0 < len(name) <= 50, name
    assert unicodedata.is_normalized("NFC", name), name
    assert all(c.isalpha() or c in " -'" for c in name), name


def self_check(prisons, prisoners):
    codes = [p["code"] for p in prisons]
    ids = [t["id"] for p in prisons for t in p["templates"]]
    assert len(ids) == len(set(ids)), "template ids must be unique"
    for p in prisons:
        assert 4 <= len(p["templates"]) <= 8, p["code"]
        for c in p["closures"]:
            day = datetime.date.fromisoformat(c["date"])
            hit = [t["id"] for t in p["templates"]
                   if runs_on(t, day) and c["template_id"] in (None, t["id"])]
            # A closure for one template must fall on a day it runs; prison-wide closures
            # are notices and may fall on a day with nothing on.
            if c["template_id"] is not None:
                assert hit, (p["code"], c)
    numbers = [p["number"] for p in prisoners]
    assert len(numbers) == len(set(numbers))
    contact_ids = [c["id"] for p in prisoners for c in p["contacts"]]
    assert len(contact_ids) == len(set(contact_ids))
    for p in prisoners:
        assert p["prison"] in codes
        assert 18 <= age_on(p["date_of_birth"], TODAY) <= 75, p
        check_name(p["first_name"])
        check_name(p["last_name"])
        assert p["number"] in ("C3456DE", "D4567EF", "B2345CD") or 2 <= len(p["contacts"]) <= 7, p
        for c in p["contacts"]:
            check_name(c["first_name"])
            check_name(c["last_name"])
            assert 0 <= age_on(c["date_of_birth"], TODAY) <= 90, c
            assert c["date_of_birth"] < TODAY.isoformat(), c


def summary(prisons, prisoners):
    contacts = [c for p in prisoners for c in p["contacts"]]
    lines = []
    for pr in prisons:
        mine = [p for p in prisoners if p["prison"] == pr["code"]]
        lines.append("%s: %d prisoners, %d remand, %d with closed-visit restrictions" % (
            pr["code"], len(mine), sum(p["custody"] == "remand" for p in mine),
            sum(bool(p["closed_visit_restrictions"]) for p in mine)))
    lines.append("%d prisoners, %d contacts, %d banned (%d still banned on %s), %d under 18" % (
        len(prisoners), len(contacts), sum(bool(c["banned_until"]) for c in contacts),
        sum(bool(c["banned_until"]) and c["banned_until"] >= TODAY.isoformat() for c in contacts),
        TODAY, sum(age_on(c["date_of_birth"], TODAY) < 18 for c in contacts)))
    return "\n".join(lines)


def write(path, data):
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def main():
    prisoners = Generator(SEED).prisoners()
    self_check(PRISONS, prisoners)
    write(HERE / "prisons.json", PRISONS)
    write(HERE / "prisoners.json", prisoners)
    print(summary(PRISONS, prisoners))


if __name__ == "__main__":
    main()
