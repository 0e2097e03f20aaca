// Package keymap turns key events into named editor actions.
//
// It owns the action names and their one-line descriptions (All), key
// normalisation and key names (Key, FromEvent, ParseKey), the presets
// ("default", modeless like hexedit, and "vim", modal like vim and bvi),
// multi-key sequences with counts and argument letters (Dispatcher), the
// user's TOML configuration (Load, Config, Problem), ex commands for the
// ":" prompt (ParseEx) and the help text (Map.Help, Markdown).
//
// The view feeds every key event to one Dispatcher and runs the action of a
// Found outcome; it looks at raw keys only to type bytes (Outcome.Type).
// keymap never imports mapping.
package keymap
