SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
# Canada.ca writes French times on the 24-hour clock with "h", a non-breaking space on each side
# of it: 9 h 30, 13 h 45, and on the hour without the minutes: 9 h (not 9 h 00 nor 09:00).
TIME_FORMAT = "G\u00a0\\h\u00a0i"
DATETIME_FORMAT = "j F Y à G\u00a0\\h\u00a0i"
# A Django format cannot leave the minutes off on the hour: csc_careers.formats.clock uses these
# for a time on the hour.
ON_THE_HOUR_TIME_FORMAT = "G\u00a0\\h"
ON_THE_HOUR_DATETIME_FORMAT = "j F Y à G\u00a0\\h"
