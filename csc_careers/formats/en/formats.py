SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
# Django's own TIME_FORMAT ("P": 9 a.m., 9:30 a.m., noon) leaves the minutes off on the hour
# already: on the hour, the formats are the usual ones (csc_careers.formats.clock).
ON_THE_HOUR_TIME_FORMAT = "P"
ON_THE_HOUR_DATETIME_FORMAT = "N j, Y, P"
