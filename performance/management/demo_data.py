"""What the demo partnership measures: its outcomes with their delivery plans, and its
indicators, after the Warrington agreement's Appendix C (plan, do, review, revise; named leads;
quarterly monitoring by the thematic groups) and its thematic groups' areas of responsibility.
Indicators take the shape of the Local Area Agreement's National Indicator set; the figures and
people are fictional. ``performance.demo`` builds all of it through the services.

People, organisations and bodies are the keys of ``membership``'s demo (``load_demo``).
"""

from __future__ import annotations

from dataclasses import dataclass

from performance.models import Frequency, OutcomeKind, Polarity, TargetKind, ToleranceKind, Unit

AGREED, PRIORITY = OutcomeKind.AGREED, OutcomeKind.PRIORITY
HIGHER, LOWER = Polarity.HIGHER, Polarity.LOWER
SIX_MONTHLY, ANNUAL = Frequency.SIX_MONTHLY, Frequency.ANNUAL
CUMULATIVE = TargetKind.CUMULATIVE
ABSOLUTE = ToleranceKind.ABSOLUTE
NUMBER, PERCENT, RATE, MONEY, YES_NO = (
    Unit.NUMBER,
    Unit.PERCENTAGE,
    Unit.RATE,
    Unit.CURRENCY,
    Unit.YES_NO,
)

# Each thematic group: who signs its returns off, taking turns (never their own return): its
# chair and its co-ordinator (the partnership's, for a group without one of its own), chair
# first; and the days from the day the demo is loaded to its deadline for the open quarter.
# Children and Young People's deadline passed over a week ago, so the chaser tells the
# co-ordinators; Economic Development's falls within the week, so its leads are reminded.
GROUPS = {
    "cyp": (("fiona", "priya"), -8),
    "safer": (("mark", "owen"), 10),
    "health": (("simon", "priya"), 18),
    "economy": (("nadia", "priya"), 5),
}
# Who set each group's performance up: its own co-ordinator, else the partnership's.
SET_UP_BY = {"safer": "owen"}
DEFAULT_SET_UP_BY = "priya"

# The people who try performance out in the demo: (person, what they can do).
PERSONAS = [
    ("daniel", "Lead: returns to write now, one sent back, one delegated to him"),
    ("nadia", "Chair, Economic Development and Enterprise: returns to sign off"),
    ("owen", "Co-ordinator, Safer and Stronger Communities: returns to sign off, deadlines"),
    ("priya", "Co-ordinator of the whole partnership: every group's set-up and returns"),
]

# code: (owning group, type, title, description, [delivery plan actions]). An action is
# (title, partner organisation, lead person, start and due dates in days from the day the demo
# is loaded, status, progress note); a complete action was completed a week before its due date.
OUTCOMES = {
    "CYP1": ("cyp", AGREED, "Every child and young person achieves their potential in learning",
             "Raise attainment at 16 and make sure every young person is in learning or work "
             "until at least 18, closing the gap for those from the most deprived wards.", [
        ("Literacy and numeracy support in the twelve schools furthest below the floor "
         "standard", "council", "fiona", -400, 120, "on_track",
         "Eleven of the twelve schools have a programme in place; the twelfth starts in January."),
        ("Extend the September Guarantee so every school leaver has an offer of learning",
         "college", "marcus", -300, -20, "complete", "Offers made to 97% of leavers."),
        ("Track every 16 to 18 year old whose destination is not known", "hub", "lucy", -200, 60,
         "at_risk", "Slowed by two vacant adviser posts; one is filled from next month."),
    ]),
    "CYP2": ("cyp", PRIORITY, "Young people are safe, healthy and make positive choices",
             "Fewer young people drawn into crime, substance misuse and early pregnancy, and "
             "more of them taking part in positive activities.", [
        ("Young people's substance misuse service in every secondary school", "pct", "claire",
         -500, -45, "delayed", "Four schools are still to sign the service agreement."),
        ("Youth diversion scheme with the police for first-time offenders", "police", "kerry",
         -350, 150, "on_track", "Forty-two young people referred this year; three re-offended."),
        ("Sexual health outreach for 15 to 19 year olds in the southern estates", "pct",
         "claire", 30, 400, "not_started", "Commissioned; the provider starts next month."),
    ]),
    "SSC1": ("safer", AGREED, "Less crime, and less fear of crime, in every neighbourhood",
             "Reduce serious acquisitive and violent crime, re-offending and arson, and the "
             "share of residents who see anti-social behaviour as a problem.", [
        ("Problem-solving plans for the five burglary hotspots", "police", "kerry", -250, 40,
         "on_track", "Plans agreed for all five; burglary down by a fifth in three of them."),
        ("Integrated offender management of prolific and priority offenders", "probation",
         "olivia", -500, -60, "complete", "The cohort is managed jointly from one office."),
        ("Home fire and security checks for vulnerable households", "fire", "bethan", -180, 90,
         "at_risk", "Referrals from social care are fewer than planned."),
        ("Street pastors and taxi marshals in the town centre at weekends", "hub", "hassan",
         -400, 300, "on_track", "Out every Friday and Saturday night since March."),
    ]),
    "SSC2": ("safer", PRIORITY, "Decent, affordable homes in safe and cohesive communities",
             "More affordable homes, fewer repeat victims of domestic abuse, and neighbourhoods "
             "where people from different backgrounds get on well together.", [
        ("Deliver 120 affordable homes on the former gasworks site", "housing", "rachel", -600,
         250, "on_track", "Phase one (48 homes) handed over; phase two on site."),
        ("Sanctuary scheme for victims of domestic abuse", "housing", "ian", -300, -10,
         "delayed", "Waiting for the locksmith contract to be let."),
        ("Community cohesion small grants", "council", "joseph", -200, 100, "on_track",
         "Fourteen grants made, to groups in every area."),
    ]),
    "HCO1": ("health", AGREED, "Narrow the gap in health between the most and least deprived "
             "wards", "Fewer people smoking and drinking harmfully, more people active, and a "
             "narrower gap in life expectancy across the borough.", [
        ("Stop-smoking service in community pharmacies in the most deprived wards", "bizforum",
         "raj", -450, 80, "on_track", "Nine pharmacies take part, two more from April."),
        ("Alcohol liaison nurses in the emergency department", "hospitals", "janet", -380, -30,
         "complete", "Two nurses in post, seeing every patient admitted with alcohol harm."),
        ("'Active Vale' sessions for adults in the southern estates", "council", "gareth",
         -200, 120, "at_risk", "Attendance is below plan outside the summer months."),
    ]),
    "HCO2": ("health", PRIORITY, "Older and vulnerable people live independently for longer",
             "Help people home from hospital quickly and safely, and make sure older people "
             "claim the benefits they are entitled to.", [
        ("Reablement at home after hospital discharge", "hospitals", "janet", -500, 30,
         "on_track", "Capacity up by a quarter since the new team started."),
        ("Benefit take-up campaign for people over 65", "agewell", "brian", -150, -14,
         "delayed", "The mailing went out late; the advice sessions run this month."),
        ("Befriending service for older people living alone", "cvs", "moira", -300, 180,
         "on_track", "Sixty volunteers trained, 140 people befriended."),
    ]),
    "EDE1": ("economy", AGREED, "More local people in work, with the skills employers need",
             "Reduce worklessness, especially in the neighbourhoods where it is highest, and "
             "raise adult skills and apprenticeships.", [
        ("Employment support outreach in the southern estates", "jcp", "daniel", -420, 60,
         "at_risk", "Outreach venues agreed; take-up lower than hoped."),
        ("Work Clubs in each area partnership board's area", "jcp", "sarah", -400, -90,
         "complete", "Three Work Clubs open, one in each area."),
        ("Apprenticeship pledge from 50 local employers", "college", "marcus", -250, 140,
         "on_track", "Thirty-eight employers have pledged so far."),
        ("Level 2 skills for adults in work", "college", "marcus", 14, 380, "not_started",
         "Funding confirmed; courses open in the new year."),
    ]),
    "EDE2": ("economy", PRIORITY, "A thriving town centre and a growing business base",
             "Fill the town centre's empty shops, attract investment in its regeneration and "
             "help more people start a business.", [
        ("Meanwhile uses for vacant town centre shops", "chamber", "emma", -300, 90,
         "on_track", "Eleven units let on short leases to local makers and charities."),
        ("Business start-up support with the Business Forum", "bizforum", "philip", -350, 30,
         "on_track", "Ninety-six people supported; thirty-one businesses started."),
        ("Town centre regeneration funding bid", "council", "nadia", -400, -5, "at_risk",
         "The bid is written; the match funding is still to be confirmed."),
    ]),
}  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """One indicator. Targets start from the baseline (the financial year before the four
    with targets) and move ``step`` a year in the better direction. ``profile`` is, for a
    cumulative indicator, the share of the year's target due by the end of Q1 to Q3; for a
    point-in-time one, what is added to the year's target in Q1 to Q4 (a seasonal pattern).
    ``pattern`` is the RAG of its signed-off returns in turn, oldest first; ``now`` is the
    open quarter's return: "" not started, "draft:A", "submitted:G", "signed:G",
    "sent_back:R" or "delegated:<person>" (the letter is the RAG its value gives)."""

    code: str
    group: str
    outcome: str
    title: str
    unit: str
    polarity: str
    baseline: str
    step: str
    lead: str
    source: str
    definition: str
    good: str
    bad: str
    remedy: str
    pattern: str
    now: str = ""
    frequency: str = Frequency.QUARTERLY
    kind: str = TargetKind.POINT
    places: int = 0
    tolerance: str = "5"
    tolerance_kind: str = ToleranceKind.PERCENT
    profile: tuple[str, ...] = ()
    published: bool = True


INDICATORS = [
    # --- Children and Young People -------------------------------------------------------------
    Spec("NI 75", "cyp", "CYP1",
         "Pupils achieving grade 4 or above in English and maths at GCSE (%)", PERCENT, HIGHER,
         "61.5", "1.5", "fiona", "Department for Education, Key Stage 4 performance tables",
         "Pupils at the end of Key Stage 4 in Mercia Vale's schools achieving grade 4 or above "
         "in both English and maths, as a percentage of all pupils at the end of Key Stage 4.",
         "Results rose in both subjects, with the biggest gains in the twelve targeted schools.",
         "English held up, but maths results fell back in four of the targeted schools.",
         "Maths specialists from the two strongest schools to coach staff in the four schools.",
         "GA", frequency=ANNUAL, places=1, tolerance="3"),
    Spec("NI 117", "cyp", "CYP1",
         "16 to 18 year olds not in education, employment or training (NEET) (%)", PERCENT,
         LOWER, "6.4", "0.4", "lucy", "Client Caseload Information System (CCIS)",
         "Young people aged 16 to 18 known to the local authority who are not in education, "
         "employment or training at the end of the quarter, as a percentage of all known.",
         "The September Guarantee placed more leavers, and fewer destinations are unknown.",
         "More young people left college courses early, and more destinations are unknown.",
         "Youth workers to contact every early leaver within ten days of their leaving.",
         "GGAGRGAG", "signed:G", places=1, tolerance="0.5", tolerance_kind=ABSOLUTE,
         profile=("0", "0.6", "0.3", "0")),
    Spec("NI 111", "cyp", "CYP2", "First-time entrants to the youth justice system aged 10 to 17",
         NUMBER, LOWER, "118", "8", "kerry", "Youth Offending Service and Police National Computer",
         "Young people aged 10 to 17 receiving their first reprimand, warning or conviction, "
         "in the financial year to date.",
         "The youth diversion scheme is keeping first-time offenders out of the formal system.",
         "Shoplifting by young people in the town centre rose over the school holidays.",
         "Joint patrols with the shopping centre and referral to diversion at first contact.",
         "GAGGRAGG", "submitted:A", kind=CUMULATIVE, tolerance="10",
         profile=("0.25", "0.5", "0.75")),
    Spec("NI 112", "cyp", "CYP2", "Under-18 conception rate per 1,000 females aged 15 to 17",
         RATE, LOWER, "24.8", "1.2", "claire",
         "Office for National Statistics conception statistics (rolling year)",
         "Conceptions to women aged under 18 per 1,000 women aged 15 to 17, over the twelve "
         "months to the end of the quarter (published about a year in arrears).",
         "The outreach clinics in the southern estates are reaching more young women.",
         "Rates in two southern wards rose sharply, against the borough's trend.",
         "Clinic sessions doubled in the two wards; relationships education in every school.",
         "AGGRAGGG", places=1),
    Spec("NI 56", "cyp", "CYP2", "Children in Year 6 who are obese (%)", PERCENT, LOWER, "20.4",
         "0.3", "claire", "National Child Measurement Programme",
         "Children in Year 6 measured by the National Child Measurement Programme whose body "
         "mass index is in the obese range, as a percentage of all children measured.",
         "Fewer Year 6 children are obese, with the healthy schools programme in every school.",
         "Obesity in Year 6 rose, most in the schools serving the southern estates.",
         "Family weight management sessions offered through the six schools with the highest "
         "rates.", "RG", frequency=ANNUAL, places=1, tolerance="3"),
    Spec("NI 110", "cyp", "CYP2", "Young people taking part in positive activities (%)", PERCENT,
         HIGHER, "64.0", "1.5", "lucy", "Mercia Vale young people's survey (spring and autumn)",
         "Young people in school years 8 and 10 who took part in a group activity led by an "
         "adult outside school lessons in the last four weeks.",
         "The summer programme and the new youth club in the north drew more young people.",
         "Fewer young people took part after two youth clubs lost their volunteers.",
         "The Youth Trust to recruit volunteers through the college's volunteering scheme.",
         "GAGG", "draft:G", frequency=SIX_MONTHLY, places=1),
    Spec("MV-CYP1", "cyp", "CYP1",
         "Children and Young People's Plan reviewed and agreed by the Board (yes/no)", YES_NO,
         HIGHER, "1", "0", "fiona", "Partnership Board minutes",
         "Whether the Board agreed the reviewed Children and Young People's Plan by 31 March.",
         "The reviewed plan was agreed by the Partnership Board in March.",
         "The review was held back to take in the findings of the Ofsted inspection.",
         "Bring the reviewed plan to the Board's first meeting of the new year.",
         "RG", frequency=ANNUAL, published=False),
    # --- Safer and Stronger Communities --------------------------------------------------------
    Spec("NI 16", "safer", "SSC1", "Serious acquisitive crime rate per 1,000 population", RATE,
         LOWER, "14.20", "0.5", "kerry", "Mercia Constabulary recorded crime (rolling year)",
         "Domestic burglary, robbery, and theft of and from vehicles per 1,000 residents, over "
         "the twelve months to the end of the quarter.",
         "Burglary fell again in the hotspots, and vehicle crime is at a five-year low.",
         "Burglaries in the northern villages and thefts of catalytic converters rose.",
         "Rural watch operation in the northern villages; free marking kits for converters.",
         "GGGAGRAG", "submitted:R", places=2),
    Spec("NI 20", "safer", "SSC1", "Assault with injury crime rate per 1,000 population", RATE,
         LOWER, "6.10", "0.2", "kerry", "Mercia Constabulary recorded crime (rolling year)",
         "Assaults causing injury per 1,000 residents over the twelve months to the end of the "
         "quarter.",
         "Violence in the night-time economy fell after the street pastors and marshals began.",
         "Violence around three late-opening venues in the town centre rose over the summer.",
         "Licensing review of the three venues; extra patrols on Friday and Saturday nights.",
         "AGRRAGGG", "submitted:G", places=2),
    Spec("NI 17", "safer", "SSC1",
         "Residents who think anti-social behaviour is a big problem in their area (%)", PERCENT,
         LOWER, "21.0", "1.0", "joseph", "Mercia Vale residents' survey (spring and autumn)",
         "Residents answering the survey who say anti-social behaviour is a very or fairly big "
         "problem in their area.",
         "Fewer residents see anti-social behaviour as a problem, most in the central wards.",
         "Concern rose in the southern estates after a summer of motorbike nuisance.",
         "Joint operation on off-road motorbikes, with the housing trust's tenancy team.",
         "GAGG", "signed:G", frequency=SIX_MONTHLY, places=1, tolerance="1",
         tolerance_kind=ABSOLUTE),
    Spec("NI 30", "safer", "SSC1", "Prolific and priority offenders re-offending (%)", PERCENT,
         LOWER, "38.0", "2.0", "olivia", "Integrated offender management cohort records",
         "Offenders in the prolific and priority offender cohort convicted of a further "
         "offence within twelve months, as a percentage of the cohort.",
         "Joint case management is keeping more of the cohort away from crime.",
         "Three of the cohort re-offended after losing their accommodation.",
         "Housing trust to hold two move-on flats for the cohort's prison leavers.",
         "GGAGGRGA", places=1),
    Spec("NI 32", "safer", "SSC2",
         "Repeat cases of domestic abuse referred to MARAC (%)", PERCENT, LOWER, "28.0", "1.0",
         "olivia", "Multi-Agency Risk Assessment Conference (MARAC) records",
         "Cases heard at MARAC in the quarter that had been heard in the previous twelve "
         "months, as a percentage of all cases heard.",
         "Fewer victims are coming back to MARAC, with the sanctuary scheme and advocates.",
         "More victims came back to MARAC while the sanctuary scheme was paused.",
         "Independent advocates to follow up every case at one and three months.",
         "AGGAGGRG", "draft:A", places=1, tolerance="2", tolerance_kind=ABSOLUTE,
         published=False),
    Spec("NI 33", "safer", "SSC1", "Deliberate fires (arson incidents)", NUMBER, LOWER, "410",
         "20", "bethan", "Mercia Fire and Rescue Service incident recording system",
         "Deliberate primary and secondary fires attended, in the financial year to date.",
         "Deliberate fires are down, with fewer grass and refuse fires in the spring.",
         "Refuse and vehicle fires in the southern estates rose during the dry summer.",
         "Clear fly-tipped waste within 48 hours; arson reduction patrols in the estates.",
         "GGRGAGGG", "submitted:G", kind=CUMULATIVE, tolerance="10",
         profile=("0.3", "0.6", "0.8")),
    Spec("NI 155", "safer", "SSC2", "Number of affordable homes delivered (gross)", NUMBER,
         HIGHER, "140", "10", "rachel", "Completion returns of registered providers",
         "Affordable homes (social rent, affordable rent and shared ownership) completed in "
         "the financial year to date.",
         "Handovers at the gasworks site are ahead of the programme.",
         "Two schemes slipped after the contractor went into administration.",
         "New contractor appointed; the slipped homes are programmed for next quarter.",
         "GAGGGRGG", "signed:A", kind=CUMULATIVE, tolerance="10",
         profile=("0.15", "0.4", "0.65")),
    Spec("MV-SSC1", "safer", "SSC1",
         "Multi-agency emergency plan exercised in the last six months (yes/no)", YES_NO, HIGHER,
         "1", "0", "stuart", "Local Resilience Forum exercise log",
         "Whether partners tested the borough's multi-agency emergency plan in an exercise in "
         "the six months to the end of the period.",
         "The flooding exercise tested the plan with every responding partner.",
         "The exercise was postponed when the partners were responding to a real incident.",
         "Hold the postponed exercise within the next quarter, with the new rest centre.",
         "GGRG", frequency=SIX_MONTHLY, published=False),
    # --- Healthier Communities and Older People ------------------------------------------------
    Spec("NI 8", "health", "HCO1",
         "Adults taking part in sport and active recreation at least 3 times a week (%)",
         PERCENT, HIGHER, "21.5", "1.0", "kevin", "Active Lives survey (local boost sample)",
         "Adults doing at least 30 minutes of moderate-intensity sport or active recreation on "
         "at least three days a week.",
         "Free swimming and the 'Active Vale' sessions brought more adults into regular sport.",
         "Participation fell back when the leisure centre's pool closed for repairs.",
         "Pool re-opens next month; sessions moved to the college's sports hall meanwhile.",
         "AGRG", frequency=SIX_MONTHLY, places=1),
    Spec("NI 123", "health", "HCO1", "People who had stopped smoking at four weeks", NUMBER,
         HIGHER, "1180", "60", "raj", "NHS stop smoking service returns",
         "People who set a quit date with the stop smoking service and had not smoked at four "
         "weeks (carbon monoxide validated), in the financial year to date.",
         "Pharmacy quit clinics are seeing more smokers from the most deprived wards.",
         "Fewer people set a quit date after the national campaign ended.",
         "Local campaign with GP practices and pharmacies in the six most deprived wards.",
         "GGAGGGRG", "submitted:A", kind=CUMULATIVE, tolerance="10",
         profile=("0.22", "0.47", "0.72")),
    Spec("NI 39", "health", "HCO1", "Alcohol-related hospital admissions per 1,000 population",
         RATE, LOWER, "21.4", "0.6", "janet", "Hospital Episode Statistics (rolling year)",
         "Admissions to hospital for conditions wholly or partly caused by alcohol, per 1,000 "
         "residents, over the twelve months to the end of the quarter.",
         "The alcohol liaison nurses are reducing repeat admissions.",
         "Admissions of people over 55 with alcohol-related liver disease rose again.",
         "Alcohol screening in GP health checks for people aged 40 to 74.",
         "RAAGGAGG", places=1),
    Spec("NI 131", "health", "HCO2",
         "Delayed transfers of care: beds a day occupied by people ready to leave", NUMBER,
         LOWER, "18.0", "1.5", "janet", "Hospitals NHS Trust daily situation reports",
         "The average number of hospital beds a day occupied by patients who were medically "
         "ready to leave but whose discharge was delayed, over the quarter.",
         "The reablement team is getting people home within two days of being ready.",
         "Delays rose while two care homes were closed to admissions.",
         "Spot-purchase of interim beds; daily discharge calls between the hospital and council.",
         "GAGRGGAG", places=1, tolerance="10"),
    Spec("NI 125", "health", "HCO2",
         "Older people still at home 91 days after leaving hospital into reablement (%)",
         PERCENT, HIGHER, "82.0", "1.0", "brian", "Adult social care reablement records",
         "People aged 65 and over discharged from hospital into reablement who were still at "
         "home 91 days later.",
         "Reablement at home is keeping more older people out of hospital and care homes.",
         "More people were readmitted after falls at home over the winter.",
         "Falls assessments for everyone leaving reablement, with the fire service's home "
         "checks.", "GGGAGGAG", "signed:G", places=1, tolerance="3"),
    Spec("MV-HCO1", "health", "HCO2",
         "Additional benefit income secured for older and vulnerable people (£)", MONEY, HIGHER,
         "1450000", "50000", "moira", "Welfare rights casework of the CVS, Age Well and Council",
         "The annual value of benefits newly awarded to older and vulnerable people after "
         "advice from the partnership's welfare rights services, in the financial year to date.",
         "The take-up campaign and home visits found more unclaimed Pension Credit.",
         "Two welfare rights advisers left and their posts were vacant for the quarter.",
         "Volunteers from Age Well trained to check entitlement on home visits.",
         "GAGGRGGG", "draft:G", kind=CUMULATIVE, tolerance="10",
         profile=("0.25", "0.5", "0.75")),
    Spec("MV-HCO2", "health", "HCO1",
         "Gap in life expectancy between the most and least deprived wards (years)", NUMBER,
         LOWER, "9.8", "0.2", "simon", "Office for National Statistics (three years pooled)",
         "The difference in life expectancy at birth between the fifth of wards with the "
         "highest and the fifth with the lowest deprivation scores.",
         "The gap narrowed, mostly through fewer early deaths from heart disease.",
         "The gap widened, with more early deaths from cancer in the most deprived wards.",
         "Targeted cancer screening and early diagnosis work with the GP practices.",
         "AG", frequency=ANNUAL, places=1, tolerance="0.3", tolerance_kind=ABSOLUTE),
    # --- Economic Development and Enterprise ---------------------------------------------------
    Spec("NI 152", "economy", "EDE1", "Working-age people claiming out-of-work benefits (%)",
         PERCENT, LOWER, "11.6", "0.4", "sarah", "DWP benefit claimant data (Stat-Xplore)",
         "Residents aged 16 to 64 claiming out-of-work benefits at the end of the quarter, as a "
         "percentage of the working-age population.",
         "The claimant rate fell, with the Work Clubs helping more people into jobs.",
         "Claims rose after two large employers in the borough made redundancies.",
         "Rapid response service for the redundant staff with the Business Forum.",
         "GGAGGRGG", "delegated:daniel", places=1, tolerance="0.4", tolerance_kind=ABSOLUTE),
    Spec("NI 153", "economy", "EDE1",
         "Working-age people claiming out-of-work benefits in the worst neighbourhoods (%)",
         PERCENT, LOWER, "27.5", "0.8", "daniel", "DWP benefit claimant data (Stat-Xplore)",
         "The claimant rate in the neighbourhoods where it is highest (the worst-performing "
         "lower layer super output areas), at the end of the quarter.",
         "Outreach in the southern estates is reaching people the Jobcentre did not see.",
         "The claimant rate in the southern estates has not fallen as planned.",
         "Outreach advisers in the estates' community centres three days a week.",
         "AGRRAGAG", "sent_back:R", places=1, tolerance="0.8", tolerance_kind=ABSOLUTE),
    Spec("MV-EDE1", "economy", "EDE1",
         "People helped into work by the partnership's employment programme", NUMBER, HIGHER,
         "420", "30", "daniel", "Employment programme case management (job starts at 13 weeks)",
         "Participants of the partnership's employment programme who started work and were "
         "still in work after 13 weeks, in the financial year to date.",
         "Job starts are ahead of profile, helped by the new warehouse's recruitment.",
         "Fewer participants stayed in work to 13 weeks than last year.",
         "In-work support calls at two, six and ten weeks for every participant.",
         "GGAGGGRG", "draft:A", kind=CUMULATIVE, tolerance="10",
         profile=("0.22", "0.48", "0.74")),
    Spec("MV-EDE2", "economy", "EDE1",
         "Young people aged 18 to 24 claiming unemployment benefits for over 6 months", NUMBER,
         LOWER, "310", "15", "daniel", "DWP benefit claimant data (Stat-Xplore)",
         "Residents aged 18 to 24 claiming unemployment-related benefits for more than six "
         "months, at the end of the quarter.",
         "More young people moved into apprenticeships and work placements.",
         "Young people on the southern estates are staying on benefit longer.",
         "Work placements with the pledged employers for every young person at six months.",
         "GAGGAGRG"),
    Spec("NI 163", "economy", "EDE1", "Working-age adults qualified to at least Level 2 (%)",
         PERCENT, HIGHER, "71.0", "1.0", "marcus", "Annual Population Survey (rolling year)",
         "Residents aged 19 to 64 qualified to at least Level 2 (five good GCSEs or "
         "equivalent), as a percentage of residents of that age.",
         "More adults completed Level 2 courses at the college and in the workplace.",
         "The survey shows fewer qualified adults, within its margin of error.",
         "Promote the free Level 2 courses through the Work Clubs and employers.",
         "GAGG", "submitted:G", frequency=SIX_MONTHLY, places=1, tolerance="2"),
    Spec("MV-EDE3", "economy", "EDE1", "Apprenticeship starts", NUMBER, HIGHER, "760", "40",
         "marcus", "Apprenticeship data of the Department for Education",
         "Apprenticeships started by people living in Mercia Vale, in the financial year to date.",
         "The employers' pledge is bringing new apprenticeship places.",
         "Fewer small employers took on apprentices this year.",
         "The college to arrange shared apprenticeships for small employers.",
         "GGGAGRGG", "submitted:A", kind=CUMULATIVE, tolerance="10",
         profile=("0.2", "0.55", "0.75")),
    Spec("NI 171", "economy", "EDE2", "New business registration rate per 1,000 adults", RATE,
         HIGHER, "4.6", "0.2", "philip", "ONS business demography (rolling year)",
         "Businesses newly registered for VAT or PAYE per 1,000 residents aged 16 and over, over "
         "the twelve months to the end of the quarter.",
         "The start-up support programme is turning more enquiries into new businesses.",
         "Registrations dipped while interest rates rose.",
         "Start-up grants promoted through the banks and the Chamber's networks.",
         "AGGRGGAG", "signed:G", places=1),
    Spec("MV-EDE4", "economy", "EDE2",
         "External funding secured for town centre regeneration (£)", MONEY, HIGHER, "2400000",
         "200000", "emma", "Council regeneration team's funding register",
         "Grants and private investment secured for town centre regeneration schemes, in the "
         "financial year to date.",
         "Two heritage grants and the market hall investment were confirmed.",
         "The national regeneration fund's decision was delayed to the next round.",
         "Private investment for the market hall sought while the national bid waits.",
         "GAGRGGGA", "submitted:R", kind=CUMULATIVE, tolerance="15",
         profile=("0.2", "0.45", "0.7")),
    Spec("MV-EDE5", "economy", "EDE2", "Vacant shop units in the town centre (%)", PERCENT, LOWER,
         "14.5", "0.8", "emma", "Chamber of Commerce town centre survey",
         "Ground-floor shop units in the town centre that are empty on the survey day, as a "
         "percentage of all units.",
         "Meanwhile lets and two new cafés have filled empty units on the high street.",
         "Two national chains closed their town centre stores.",
         "Offer the two large units for meanwhile use while the landlords market them.",
         "RAGGAGGG", places=1, tolerance="1", tolerance_kind=ABSOLUTE),
]  # fmt: skip

# The return sent back this quarter, with the chair's reason. Kept under 90 characters: the
# service puts it in the history's change reason, which holds 100.
SENT_BACK_REASON = (
    "Please use the September figure, not August's, and say what the jobs fair achieved."
)
