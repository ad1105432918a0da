"""The allies' council: rules, composition, meetings, agenda, contact sheet, health."""
