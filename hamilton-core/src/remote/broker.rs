//! The job broker: tasks pushed, taken, acknowledged and handed out again through Redis.
