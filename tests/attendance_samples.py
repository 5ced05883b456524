"""Small hand-made attendance exports for the layouts that have no shared fixture,
written after the layouts the platforms are known to export (headers, quoting,
encodings and date styles as the platforms write them)."""

from __future__ import annotations

import codecs


def utf16le(text: str) -> bytes:
    """Teams' native encoding: UTF-16LE with BOM, CRLF line ends."""
    return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")


ZOOM_2025 = (
    b"Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In Waiting Room\n"
    b"Ana Souza (she/her),ana@example.org,03/14/2025 09:58:10 AM,03/14/2025 10:40:00 AM,42,No,No\n"
    b"Ana Souza (she/her),ana@example.org,03/14/2025 09:55:00 AM,03/14/2025 09:58:05 AM,4,No,Yes\n"
    b"Phone User (Guest),,03/14/2025 10:01:00 AM,03/14/2025 10:30:30 AM,30,Yes,No\n"
)

ZOOM_2025_TOTALS = (
    b"Name (original name),Email,Total duration (minutes),Guest\n"
    b"Ana Souza,ana@example.org,46,No\n"
    b"Bo Chen,,12,Yes\n"
)

# Admin flat export: meeting columns on every row, User Email and Duration (Minutes)
# twice (host first, then participant); day-first 24 h dates without seconds.
ZOOM_ADMIN = (
    b"Topic,Meeting ID,User Name,User Email,Department,Group,Has Zoom Rooms,Creation Time,Start Time,End Time,"
    b"Duration (Minutes),Participants,Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),"
    b"Guest,Recording Consent,In Waiting Room\n"
    b"Budget review,852 1848 6288,Host Person,host@example.org,Finance,,No,14/08/2022 18:00,15/08/2022 01:00,"
    b"15/08/2022 02:00,60,2,Host Person,host@example.org,15/08/2022 01:00,15/08/2022 02:00,60,No,,No\n"
    b"Budget review,852 1848 6288,Host Person,host@example.org,Finance,,No,14/08/2022 18:00,15/08/2022 01:00,"
    b"15/08/2022 02:00,60,2,Kim Lee (Kimberly Lee),kim@example.org,15/08/2022 01:27,15/08/2022 01:59,32,No,,No\n"
)

ZOOM_CP1252 = (
    "Name (Original Name);User Email;Join Time;Leave Time;Duration (Minutes);Guest\n"
    "José García;jose@example.es;11/19/2021 10:00:00 AM;11/19/2021 10:30:00 AM;30;No\n"
).encode("cp1252")

# Teams 2022+ as downloaded: UTF-16LE, TAB, CRLF, quoted dates, summary lines padded
# with TABs, a name with a comma, a person with two segments and a broken activity row.
TEAMS_2023 = utf16le(
    "1. Summary\t\t\t\t\t\t\n"
    "Meeting title\tWeekly review\t\t\t\t\t\n"
    "Attended participants\t2\t\t\t\t\t\n"
    "Start time\t\"4/17/23, 7:25:00 PM\"\t\t\t\t\t\n"
    "End time\t\"4/17/23, 8:05:10 PM\"\t\t\t\t\t\n"
    "Meeting duration\t40m 10s\t\t\t\t\t\n"
    "Average attendance time\t20m 5s\t\t\t\t\t\n"
    "\n"
    "2. Participants\t\t\t\t\t\t\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "\"One, Person\"\t\"4/17/23, 7:29:57 PM\"\t\"4/17/23, 7:45:00 PM\"\t3m 30s\tone@example.org\t"
    "one@example.org\tOrganizer\n"
    "Visitor (Guest)\t\"4/17/23, 7:30:00 PM\"\t\"4/17/23, 8:05:00 PM\"\t35m\t\t\tAttendee\n"
    "\n"
    "3. In-Meeting Activities\t\t\t\t\t\t\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
    "\"One, Person\"\t\"4/17/23, 7:29:57 PM\"\t\"4/17/23, 7:33:13 PM\"\t3m 16s\tone@example.org\tOrganizer\n"
    "\"One, Person\"\t\"4/17/23, 7:44:46 PM\"\t\"4/17/23, 7:45:00 PM\"\t14s\tone@example.org\tOrganizer\n"
    "\"One, Person\"\t\t\"4/17/23, 7:50:00 PM\"\t\tone@example.org\tOrganizer\n"
    "Visitor (Guest)\t\"4/17/23, 7:30:00 PM\"\t\"4/17/23, 8:05:00 PM\"\t35m\t\tAttendee\n"
)

# The same report re-saved in Excel: UTF-8, semicolons, day-first 24 h, no section 3.
TEAMS_SEMICOLON = (
    b"1. Summary\n"
    b"Meeting title;Retro\n"
    b"Start time;15/11/22, 09:30:00\n"
    b"End time;15/11/22, 10:00:00\n"
    b"\n"
    b"2. Participants\n"
    b"Name;First join;Last leave;In-meeting duration;Email;Participant ID (UPN);Role\n"
    b"Goliath, David;15/11/22, 09:30:47;15/11/22, 09:59:00;28m 13s;david@example.org;david@example.org;Organizer\n"
    b"Eva Nowak (External);15/11/22, 09:31:00;15/11/22, 09:45:00;10m;eva@other.example;eva@other.example;Attendee\n"
)

TEAMS_2020 = utf16le(
    "Full Name\tUser Action\tTimestamp\n"
    "Gregory S\tJoined\t11/4/2020, 9:50:12 AM\n"
    "Kray Thorn\tJoined before\t11/4/2020, 9:50:12 AM\n"
    "Kray Thorn\tLeft\t11/4/2020, 10:06:45 AM\n"
    "Kray Thorn\tJoined\t11/4/2020, 10:10:00 AM\n"
    "Gregory S\tLeft\t11/4/2020, 10:20:00 AM\n"
    "Mia Park\tJoined\t11/4/2020, 10:13:00 AM\n"
    "Kray Thorn\tLeft\t11/4/2020, 10:30:00 AM\n"
)

TEAMS_2021 = utf16le(
    "Meeting Summary\n"
    "Total Number of Participants\t2\n"
    "Meeting Title\tWeekly sync\n"
    "Meeting Start Time\t4/13/2022, 7:55:00 AM\n"
    "Meeting End Time\t4/13/2022, 9:40:00 AM\n"
    "Meeting Id\t19:meeting_abc@thread.v2\n"
    "\n"
    "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\tParticipant ID (UPN)\n"
    "Anna Organiser\t4/13/2022, 7:56:32 AM\t4/13/2022, 9:38:32 AM\t1h 42m \tanna@example.org\tOrganizer\t"
    "anna@example.org\n"
    "Bob (Guest)\t4/13/2022, 8:00:00 AM\t4/13/2022, 8:28:59 AM\t28m 59s\t\tAttendee\t\n"
    "Bob (Guest)\t4/13/2022, 8:30:00 AM\t4/13/2022, 8:30:10 AM\t10s\t\tAttendee\t\n"
)

TEAMS_LIVE = (
    b"Session Id,Participant Id,Full Name,UserAgent,UTC Event Timestamp,Action,Role\n"
    b"s1,p1,Ann Lee,Mozilla/5.0,03/02/2023 10:56:00 AM,Joined,Attendee\n"
    b"s2,, ,Mozilla/5.0,03/02/2023 10:57:00 AM,Joined,Attendee\n"
    b"s1,p1,Ann Lee,Mozilla/5.0,03/02/2023 11:56:00 AM,Left,Attendee\n"
    b"s3,p9,Host Person,Teams/1.5,1/25/2023 4:48:08 PM,Joined,Event Team Member\n"
    b"s2,, ,Mozilla/5.0,03/02/2023 11:00:30 AM,Left,Attendee\n"
)

MEET = (
    b"First name,Last name,Email,Duration,Time joined,Time exited\n"
    b"Ada,Lovelace,ada@example.org,1 hr 5 min,10:02 AM,11:07 AM\n"
    b"Alan,Turing,,45 min,10:15 AM,11:00 AM\n"
)
MEET_FILE_NAME = "2021-10-14 10:00 Analytical Engines - Attendance Report.csv"

WEBEX = (
    "\ufeffMeeting Name,Meeting Start Date,Meeting End Date,Display Name,First Name,Last Name,Role,Attendee Email,"
    "Join Time,Leave Time,Attendance Duration,Connection Type,Session Name\n"
    "Planning,05/03/2024 09:00 AM,05/03/2024 10:00 AM,Ann Lee,Ann,Lee,Host,ann@example.org,05/03/2024 08:58 AM,"
    "05/03/2024 10:00 AM,62 mins,Desktop app,Session 1\n"
    "Planning,05/03/2024 09:00 AM,05/03/2024 10:00 AM,Raj Patel,Raj,Patel,Attendee,raj@example.org,"
    "05/03/2024 09:05 AM,05/03/2024 09:50 AM,45 mins,Web app,Session 1\n"
).encode()

ALL = {
    "zoom_2025": ZOOM_2025, "zoom_2025_totals": ZOOM_2025_TOTALS, "zoom_admin": ZOOM_ADMIN,
    "zoom_cp1252": ZOOM_CP1252, "teams_2023": TEAMS_2023, "teams_semicolon": TEAMS_SEMICOLON,
    "teams_2020": TEAMS_2020, "teams_2021": TEAMS_2021, "teams_live": TEAMS_LIVE, "meet": MEET, "webex": WEBEX,
}

# Webinar attendee report in the layout newer parsers expect: US dates, original names,
# Is Guest, a no-show written with "--".
ZOOM_WEBINAR_2025 = (
    b"Attendee Report\n"
    b'Report Generated:,"03/14/2025 10:00:00 AM"\n'
    b"Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registrants,# Cancelled,Unique Viewers,"
    b"Total Users,Max Concurrent Views\n"
    b"Spring Talk,812 3456 7890,03/13/2025 06:00:00 PM,90,3,0,2,3,2\n"
    b"Host Details\n"
    b"Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,"
    b"Country/Region Name\n"
    b"Yes,Hana Host,hana@example.org,03/13/2025 05:55:00 PM,03/13/2025 07:30:00 PM,95,No,Japan\n"
    b"Panelist Details\n"
    b"Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,"
    b"Country/Region Name\n"
    b"Yes,Pat Panel (Patricia Panel),pat@example.org,03/13/2025 05:58:00 PM,03/13/2025 07:30:00 PM,92,No,Japan\n"
    b"Attendee Details\n"
    b"Attended,User Name (Original Name),First Name,Last Name,Email,Phone,Registration Time,Approval Status,"
    b"Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name,Source Name\n"
    b"Yes,Ann Lee,Ann,Lee,ann@example.org,,03/01/2025 09:00:00 AM,approved,03/13/2025 06:01:00 PM,"
    b"03/13/2025 07:29:10 PM,89,No,Canada,\n"
    b"No,Bo Chen,Bo,Chen,bo@example.org,,03/02/2025 09:00:00 AM,approved,--,--,--,,--,\n"
)
ALL["zoom_webinar_2025"] = ZOOM_WEBINAR_2025
