"""Date and time formats of the back office (FORMAT_MODULE_PATH), where Django's differ from
how the product writes times: 24-hour clock, as the live dashboard and the tickets do."""
