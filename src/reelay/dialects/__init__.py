"""The public API shapes Reelay speaks (`registry` holds them, each registered once). Importing
one module of a dialect loads only what it needs: the emulator renders Runway's errors with
`runway_errors` and never loads the routes."""
