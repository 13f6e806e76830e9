"""Running whohandles as a cluster: PostgreSQL + Redis + nginx + Rasa/action replicas under supervisord."""
