"""The live crisis room: declare, convene the councils within the hour, one shared log, drills."""
