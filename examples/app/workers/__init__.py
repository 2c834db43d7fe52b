"""Legacy worker paths, allowed to use RQ only under an expiring exception."""
